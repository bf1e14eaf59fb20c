// The upstream manifests zerospof carries: the pinned releases, byte for byte, used with no
// directory given; a directory's copy that is not the pinned release is refused before use.
#include "render/upstream_pins.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "plan/plan.h"
#include "render/upstream.h"
#include "render/upstream_embedded.h"
#include "support/scratch_directory.h"
#include "support/test_plans.h"
#include "util/digest.h"
#include "util/files.h"

namespace zerospof::render {
namespace {

TEST(UpstreamPinsTest, EveryCarriedCopyIsItsPinnedReleaseAndTheOfflineMirrorsFile) {
  std::set<std::string_view> names;
  for (const UpstreamPin& pin : upstream_pins()) {
    EXPECT_TRUE(names.insert(pin.file).second) << pin.file << " pinned twice";
    EXPECT_EQ(pin.sha256.size(), 64u) << pin.file;
    EXPECT_TRUE(pin.source.starts_with("https://")) << pin.source;
    EXPECT_NE(pin.source.find(pin.version), std::string_view::npos)
        << pin.file << ": the source names no release";
    std::string_view carried = embedded_upstream_file(pin.file);
    ASSERT_FALSE(carried.empty()) << pin.file << " is not carried";
    EXPECT_EQ(util::sha256_hex(carried), pin.sha256) << pin.file;
    auto mirrored =
        util::read_file(zerospof::testing::shared_path("upstream/" + std::string(pin.file)));
    ASSERT_TRUE(mirrored.has_value()) << pin.file;
    EXPECT_TRUE(*mirrored == carried) << pin.file << " differs from ../shared/upstream";
  }
  EXPECT_TRUE(embedded_upstream_file("coredns.yaml.sed").empty());
}

TEST(UpstreamPinsTest, RenderNeedsNoDirectoryAndGivesWhatTheMirrorGives) {
  const model::Cluster cluster = plan::builtin_plan();
  auto carried = upstream_manifests(cluster, RenderOptions{});
  ASSERT_TRUE(carried) << util::format_error(carried.error());
  RenderOptions mirror;
  mirror.upstream_dir = zerospof::testing::shared_path("upstream");
  auto mirrored = upstream_manifests(cluster, mirror);
  ASSERT_TRUE(mirrored) << util::format_error(mirrored.error());
  ASSERT_EQ(carried->size(), mirrored->size());
  for (std::size_t i = 0; i < carried->size(); ++i) {
    EXPECT_EQ((*carried)[i].path, (*mirrored)[i].path);
    EXPECT_TRUE((*carried)[i].content == (*mirrored)[i].content) << (*carried)[i].path;
  }
}

TEST(UpstreamPinsTest, AFileThatIsNotThePinnedReleaseIsRefusedWithBothDigests) {
  zerospof::testing::ScratchDirectory directory("zerospof-upstream-pins");
  const UpstreamPin& pin = upstream_pins().front();
  std::string bytes(embedded_upstream_file(pin.file));
  bytes += "# one line more\n";
  ASSERT_TRUE(
      util::write_file_atomic(directory.path() + "/" + std::string(pin.file), bytes).has_value());
  auto read = pinned_upstream_file(pin.file, directory.path());
  ASSERT_FALSE(read.has_value());
  const std::string& message = read.error().message;
  EXPECT_NE(message.find(directory.path() + "/" + std::string(pin.file)), std::string::npos)
      << message;
  EXPECT_NE(message.find(util::sha256_hex(bytes)), std::string::npos) << message;
  EXPECT_NE(message.find(pin.sha256), std::string::npos) << message;
  EXPECT_NE(message.find(pin.version), std::string::npos) << message;
  EXPECT_NE(read.error().hint.find(pin.source), std::string::npos) << read.error().hint;

  // Render refuses the same way, before anything is patched.
  RenderOptions options;
  options.upstream_dir = directory.path();
  auto files = upstream_manifests(plan::builtin_plan(), options);
  ASSERT_FALSE(files.has_value());
}

TEST(UpstreamPinsTest, AMissingFileNamesTheReleaseToPutThereAndTheCarriedAlternative) {
  zerospof::testing::ScratchDirectory directory("zerospof-upstream-pins");
  auto read = pinned_upstream_file("longhorn.yaml", directory.path());
  ASSERT_FALSE(read.has_value());
  EXPECT_EQ(read.error().code, util::ErrorCode::kFailedPrecondition);
  EXPECT_NE(read.error().hint.find("Longhorn v1.12.1"), std::string::npos) << read.error().hint;
  EXPECT_NE(read.error().hint.find("leave --upstream out"), std::string::npos);
}

TEST(UpstreamPinsTest, AnUnpinnedNameIsAnError) {
  EXPECT_FALSE(pinned_upstream_file("tigera-operator.yaml", "").has_value());
}

}  // namespace
}  // namespace zerospof::render
