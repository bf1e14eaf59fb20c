#include "history/linearizability.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "history/history_generator.h"
#include "test_histories.h"

namespace zerospof::history {
namespace {

using testing::jepsen;
using testing::jsonl;
using testing::shared_testdata;

std::map<std::string, bool> jepsen_verdicts() {
  std::ifstream in(shared_testdata() / "jepsen" / "verdicts.tsv");
  std::map<std::string, bool> verdicts;
  std::string file, verdict;
  std::getline(in, file);  // header
  while (in >> file >> verdict) verdicts[file] = verdict == "true";
  return verdicts;
}

Verdict check_file(const std::filesystem::path& path, unsigned threads = 0) {
  auto history = load_history(path.string(), std::nullopt);
  EXPECT_TRUE(history) << path << ": " << (history ? "" : util::format_error(history.error()));
  if (!history) return Verdict::kUndecided;
  CheckOptions options;
  options.threads = threads;
  return check_linearizability(*history, options).verdict;
}

Verdict expected(bool linearizable) {
  return linearizable ? Verdict::kLinearizable : Verdict::kNotLinearizable;
}

TEST(LinearizabilityVerdicts, AgreeWithEveryBundledJepsenVerdict) {
  // Given every etcd history and its verdict in verdicts.tsv, the checker should agree.
  const auto verdicts = jepsen_verdicts();
  ASSERT_EQ(verdicts.size(), 50u);
  for (const auto& [file, linearizable] : verdicts)
    EXPECT_EQ(check_file(shared_testdata() / "jepsen" / file), expected(linearizable)) << file;
}

TEST(LinearizabilityVerdicts, AgreeOnTheDifferentialRunsWorstHistories) {
  // Given the histories where the differential run against Porcupine found zerospof slowest
  // (tests/history/regressions/verdicts.tsv: file, Porcupine's verdict, shape), the checker
  // should reach the same verdict.
  const std::filesystem::path directory =
      std::filesystem::path(ZEROSPOF_SOURCE_DIR) / "tests" / "history" / "regressions";
  std::ifstream in(directory / "verdicts.tsv");
  ASSERT_TRUE(in) << directory;
  int files = 0;
  for (std::string line; std::getline(in, line); ++files) {
    const std::string file = line.substr(0, line.find('\t'));
    const std::string verdict =
        line.substr(file.size() + 1, line.find('\t', file.size() + 1) - file.size() - 1);
    EXPECT_EQ(check_file(directory / file), expected(verdict == "true")) << file;
  }
  EXPECT_GT(files, 0);
}

TEST(LinearizabilityVerdicts, ASearchedViolationIsReducedToAWitnessThatFailsAlone) {
  // Given etcd_000 (85 operations, values written many times, so searched), the explanation
  // should name a few of its operations, which alone are not linearizable either.
  auto history = load_history((shared_testdata() / "jepsen" / "etcd_000.log").string(), {});
  ASSERT_TRUE(history);
  const CheckResult result = check_linearizability(*history);
  ASSERT_EQ(result.verdict, Verdict::kNotLinearizable);
  ASSERT_TRUE(result.explanation);
  const std::vector<std::size_t>& witness = result.explanation->witness;
  EXPECT_GT(witness.size(), 1u);
  EXPECT_LT(witness.size(), history->operations.size() / 3);
  History alone = *history;
  alone.operations.clear();
  for (const std::size_t index : witness) alone.operations.push_back(history->operations[index]);
  EXPECT_EQ(check_linearizability(alone).verdict, Verdict::kNotLinearizable);
  // Without the reduction, the same verdict with the whole key's longest prefix.
  CheckOptions plain;
  plain.reduce_witness = false;
  const CheckResult unreduced = check_linearizability(*history, plain);
  EXPECT_EQ(unreduced.verdict, Verdict::kNotLinearizable);
  EXPECT_TRUE(unreduced.explanation->witness.empty());
  EXPECT_FALSE(unreduced.explanation->prefix.empty());
}

TEST(LinearizabilityVerdicts, AgreeWithTheKeyValueFileNames) {
  // Given the kv histories, -ok files should be linearizable and -bad ones not.
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(shared_testdata() / "kv")) {
    const std::string name = entry.path().filename().string();
    const bool ok = name.find("-ok") != std::string::npos;
    ASSERT_TRUE(ok || name.find("-bad") != std::string::npos) << name;
    EXPECT_EQ(check_file(entry.path()), expected(ok)) << name;
    ++files;
  }
  EXPECT_EQ(files, 4);
}

TEST(LinearizabilityVerdicts, SameResultForAnyThreadCount) {
  // Given a 10-key history with a bad key, one thread and eight should report the same keys.
  const auto path = shared_testdata() / "kv" / "c10-bad.txt";
  auto history = load_history(path.string(), std::nullopt);
  ASSERT_TRUE(history);
  CheckOptions one;
  one.threads = 1;
  CheckOptions eight;
  eight.threads = 8;
  const CheckResult a = check_linearizability(*history, one);
  const CheckResult b = check_linearizability(*history, eight);
  ASSERT_EQ(a.keys.size(), b.keys.size());
  for (std::size_t i = 0; i < a.keys.size(); ++i) {
    EXPECT_EQ(a.keys[i].verdict, b.keys[i].verdict) << a.keys[i].key;
    EXPECT_EQ(a.keys[i].states, b.keys[i].states) << a.keys[i].key;
  }
  ASSERT_TRUE(a.explanation && b.explanation);
  EXPECT_EQ(a.explanation->prefix, b.explanation->prefix);
}

TEST(Linearizability, ConcurrentWriteMayBeReadEitherWay) {
  // Given two overlapping writes and a later read of the first, the history is linearizable.
  const History history = jsonl(R"(
{"type":"invoke","process":0,"time":1,"f":"write","value":"a"}
{"type":"invoke","process":1,"time":2,"f":"write","value":"b"}
{"type":"ok","process":0,"time":3,"f":"write","value":"a"}
{"type":"ok","process":1,"time":4,"f":"write","value":"b"}
{"type":"invoke","process":0,"time":5,"f":"read"}
{"type":"ok","process":0,"time":6,"f":"read","value":"a"}
)");
  EXPECT_EQ(check_linearizability(history).verdict, Verdict::kLinearizable);
}

TEST(Linearizability, LostAcknowledgedWriteIsReported) {
  // Given a write acknowledged before a read starts, a read of the old value is not
  // linearizable, and the explanation names the write as prefix and the read as blocked.
  const History history = jsonl(R"(
{"type":"invoke","process":0,"time":1,"f":"write","value":"a"}
{"type":"ok","process":0,"time":2,"f":"write","value":"a"}
{"type":"invoke","process":1,"time":3,"f":"read"}
{"type":"ok","process":1,"time":4,"f":"read","value":null}
)");
  const CheckResult result = check_linearizability(history);
  ASSERT_EQ(result.verdict, Verdict::kNotLinearizable);
  ASSERT_TRUE(result.explanation);
  EXPECT_EQ(result.explanation->prefix, std::vector<std::size_t>{0});
  EXPECT_EQ(result.explanation->value_after_prefix, Value("a"));
  EXPECT_EQ(result.explanation->must_complete_first, 1u);
  ASSERT_EQ(result.explanation->blocked.size(), 1u);
  EXPECT_FALSE(result.explanation->blocked[0].legal_here);
  EXPECT_EQ(result.explanation->blocked[0].reason, "it read nil but the value was \"a\"");
}

TEST(Linearizability, UnknownWriteTakesEffectAfterItsClientGaveUp) {
  // Given a write whose client gave up (info) before a read was even invoked, a read of that
  // value is linearizable only by placing the write after the client gave up; the result says
  // that this rare path was taken.
  const History history = jsonl(R"(
{"type":"invoke","process":0,"time":1,"f":"write","value":"late"}
{"type":"info","process":0,"time":2,"f":"write"}
{"type":"invoke","process":1,"time":3,"f":"read"}
{"type":"ok","process":1,"time":4,"f":"read","value":null}
{"type":"invoke","process":1,"time":5,"f":"read"}
{"type":"ok","process":1,"time":6,"f":"read","value":"late"}
)");
  const CheckResult result = check_linearizability(history);
  ASSERT_EQ(result.verdict, Verdict::kLinearizable);
  ASSERT_EQ(result.keys.size(), 1u);
  EXPECT_EQ(result.keys[0].unknown_operations, 1u);
  EXPECT_EQ(result.keys[0].unknown_effects_after_give_up, 1u);
}

TEST(Linearizability, FailedWriteNeverTookEffect) {
  // Given a write that failed, a later read of its value is not linearizable.
  const History history = jepsen(
      "INFO  jepsen.util - 0\t:invoke\t:write\t1\n"
      "INFO  jepsen.util - 0\t:fail\t:write\t1\n"
      "INFO  jepsen.util - 1\t:invoke\t:read\tnil\n"
      "INFO  jepsen.util - 1\t:ok\t:read\t1\n");
  EXPECT_EQ(check_linearizability(history).verdict, Verdict::kNotLinearizable);
}

TEST(Linearizability, KeysAfterTheFirstFailingKeyAreNotChecked) {
  // Given keys "a" (bad) and "b" (good), "a" explains the verdict and "b" is reported as not
  // checked, whatever the thread count.
  const History history = jsonl(R"(
{"type":"invoke","process":0,"time":1,"f":"read","key":"a"}
{"type":"ok","process":0,"time":2,"f":"read","key":"a","value":"x"}
{"type":"invoke","process":1,"time":3,"f":"read","key":"b"}
{"type":"ok","process":1,"time":4,"f":"read","key":"b","value":null}
)");
  const CheckResult result = check_linearizability(history);
  ASSERT_EQ(result.verdict, Verdict::kNotLinearizable);
  ASSERT_EQ(result.keys.size(), 2u);
  EXPECT_EQ(result.explanation->key, "a");
  EXPECT_EQ(result.keys[1].verdict, Verdict::kUndecided);
  EXPECT_EQ(result.keys[1].undecided_reason, "not checked: an earlier key is not linearizable");
}

// Many concurrent writes and a read of a value none of them wrote: refuting it means trying
// every subset of the writes, 2^40 configurations.
// 40 concurrent writes and a read of a value none of them wrote. With `unique_values` false each
// value is written twice, so the values name no version and only the search can refute it.
std::string exponential_history_text(bool unique_values = false, std::string_view key = "") {
  const std::string on_key = key.empty() ? "" : fmt::format(R"(,"key":"{}")", key);
  std::string text;
  constexpr int kWriters = 40;
  for (int p = 0; p < kWriters; ++p)
    text += fmt::format(R"({{"type":"invoke","process":{},"time":1,"f":"write","value":"{}"{}}})",
                        p, unique_values ? p : p / 2, on_key) +
            "\n";
  text += fmt::format(R"({{"type":"invoke","process":99,"time":1,"f":"read"{}}})", on_key) + "\n";
  text +=
      fmt::format(R"({{"type":"ok","process":99,"time":2,"f":"read","value":"never written"{}}})",
                  on_key) +
      "\n";
  for (int p = 0; p < kWriters; ++p)
    text += fmt::format(R"({{"type":"ok","process":{},"time":3,"f":"write","value":"{}"{}}})", p,
                        unique_values ? p : p / 2, on_key) +
            "\n";
  return text;
}

History exponential_history(bool unique_values = false) {
  return jsonl(exponential_history_text(unique_values));
}

TEST(Linearizability, UniqueValuesAreDecidedByTheirVersionsNotBySearching) {
  // Given the same refutation with unique values, the versions should decide it at once, and
  // the witness should be the read alone: no write makes what it saw.
  const History history = exponential_history(/*unique_values=*/true);
  const CheckResult result = check_linearizability(history);
  ASSERT_EQ(result.verdict, Verdict::kNotLinearizable);
  EXPECT_EQ(result.keys[0].method, Method::kVersionOrder);
  EXPECT_EQ(result.keys[0].states, 0u);
  ASSERT_TRUE(result.explanation);
  ASSERT_EQ(result.explanation->conflicting.size(), 1u);
  EXPECT_EQ(history.operations[result.explanation->conflicting[0]].process, 99);
  EXPECT_EQ(result.explanation->witness, result.explanation->conflicting);
}

TEST(Linearizability, AKeyThatFailsAtOnceIsNotKeptWaitingBehindAHardKey) {
  // Given the exponential register as key "a" and, after it, a key "b" whose one read saw a
  // value nobody wrote, the search should reach "b" after only a first small slice of "a" (on
  // one thread, so the order is fixed), instead of expanding "a" for its whole first slice.
  std::string text = exponential_history_text(/*unique_values=*/false, "a");
  // "b" writes one value twice, so that its versions cannot decide it: it is searched too.
  text += R"({"type":"invoke","process":200,"time":5,"f":"write","key":"b","value":"1"})"
          "\n"
          R"({"type":"ok","process":200,"time":6,"f":"write","key":"b","value":"1"})"
          "\n"
          R"({"type":"invoke","process":200,"time":7,"f":"write","key":"b","value":"1"})"
          "\n"
          R"({"type":"ok","process":200,"time":8,"f":"write","key":"b","value":"1"})"
          "\n"
          R"({"type":"invoke","process":200,"time":9,"f":"read","key":"b"})"
          "\n"
          R"({"type":"ok","process":200,"time":10,"f":"read","key":"b","value":"nobody's"})"
          "\n";
  CheckOptions options;
  options.threads = 1;
  const CheckResult result = check_linearizability(jsonl(text), options);
  ASSERT_EQ(result.verdict, Verdict::kNotLinearizable);
  ASSERT_TRUE(result.explanation);
  EXPECT_EQ(result.explanation->key, "b");
  ASSERT_EQ(result.keys.size(), 2u);
  EXPECT_EQ(result.keys[1].method, Method::kSearch);
  EXPECT_EQ(result.keys[0].method, Method::kSearch);
  EXPECT_GT(result.keys[0].states, 0u);     // "a" was searched, and stopped early
  EXPECT_LT(result.keys[0].states, 1000u);  // 1,437 with a first slice of 16,384 steps
}

TEST(Linearizability, TimeLimitMakesTheVerdictUndecided) {
  // Given a history whose refutation is exponential and a 50 ms limit, the verdict should be
  // undecided, with the reason.
  CheckOptions options;
  options.timeout = std::chrono::milliseconds(50);
  const CheckResult result = check_linearizability(exponential_history(), options);
  EXPECT_EQ(result.verdict, Verdict::kUndecided);
  EXPECT_EQ(result.undecided_reason,
            "the register: the time limit ran out before the search decided");
  EXPECT_GT(result.keys[0].states, 0u);
}

TEST(Linearizability, MemoryLimitBoundsBytes) {
  // Given the same history and a limit of 1 MiB, the search stops there and says why.
  CheckOptions options;
  options.max_memory_bytes = std::size_t{1} << 20;
  options.threads = 1;
  const CheckResult result = check_linearizability(exponential_history(), options);
  EXPECT_EQ(result.verdict, Verdict::kUndecided);
  EXPECT_LE(result.keys[0].cache_bytes, std::size_t{2} << 20);
  EXPECT_NE(result.undecided_reason.find("memory limit of 1 MiB"), std::string::npos)
      << result.undecided_reason;
}

TEST(Linearizability, HundredThousandOperationsOnOneKeyStayBounded) {
  // Given 100,000 operations of 8 clients on one register, the check should decide and the
  // memo table stay far below one bit per operation per state (Porcupine's 12.5 kB per state).
  GeneratorOptions generator;
  generator.seed = 7;
  generator.operations = 100'000;
  generator.processes = 8;
  const History history = generate_history(generator);
  const CheckResult result = check_linearizability(history);
  ASSERT_EQ(result.verdict, Verdict::kLinearizable);
  EXPECT_LT(result.keys[0].cache_bytes, 64u << 20);
  EXPECT_LT(result.keys[0].cache_bytes / std::max<std::size_t>(1, result.keys[0].states), 100u);
}

}  // namespace
}  // namespace zerospof::history

namespace zerospof::history {
namespace {

TEST(Linearizability, ManyKeysOnSeveralThreadsAreLinearizable) {
  // Given a generated 20,000-operation history over 100 keys, two threads should find every
  // key linearizable.
  GeneratorOptions generator;
  generator.seed = 11;
  generator.operations = 20'000;
  generator.processes = 8;
  generator.keys = 100;
  generator.key_value = true;
  CheckOptions options;
  options.threads = 2;
  const CheckResult result = check_linearizability(generate_history(generator), options);
  EXPECT_EQ(result.verdict, Verdict::kLinearizable);
  EXPECT_EQ(result.keys.size(), 100u);
}

}  // namespace
}  // namespace zerospof::history
