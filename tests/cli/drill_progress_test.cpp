// The drill's progress: kept lines stay; the live state of a fault is rewritten in place on a
// terminal (cut to its width) and thinned to one line in ten elsewhere.
#include "cli/drill_progress.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace zerospof::cli {
namespace {

// What a DrillProgress wrote, into memory.
class Captured {
 public:
  Captured() : file_(open_memstream(&buffer_, &size_)) {}
  ~Captured() {
    if (file_) std::fclose(file_);
    std::free(buffer_);
  }
  std::FILE* file() { return file_; }
  std::string text() {
    std::fflush(file_);
    return std::string(buffer_, size_);
  }

 private:
  char* buffer_ = nullptr;
  std::size_t size_ = 0;
  std::FILE* file_;
};

TEST(DrillProgressTest, OnATerminalTheLiveLineIsRewrittenInPlaceAndEndedBeforeAKeptOne) {
  Captured out;
  {
    DrillProgress progress(out.file(), true, 12);
    progress.line("checking");
    progress.live("fault 1 s");
    progress.live("fault 2 s, api-write ok 40");  // cut to 11 columns
    progress.line("healed");
    progress.live("fault 1 s");
  }  // the live line still shown is ended where it is
  // Each fault's last state stays on the screen above the next phase line.
  EXPECT_EQ(out.text(),
            "checking\n\r\x1b[Kfault 1 s\r\x1b[Kfault 2 s, \nhealed\n\r\x1b[Kfault 1 s\n");
}

TEST(DrillProgressTest, ElsewhereOneLiveLineInTenIsKept) {
  Captured out;
  {
    DrillProgress progress(out.file(), false, 0);
    for (int second = 1; second <= 25; ++second) progress.live("fault " + std::to_string(second));
    progress.line("healed");
    progress.live("fault 1 again");
  }
  EXPECT_EQ(out.text(), "fault 1\nfault 11\nfault 21\nhealed\nfault 1 again\n");
}

}  // namespace
}  // namespace zerospof::cli
