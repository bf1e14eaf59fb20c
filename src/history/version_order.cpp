#include "history/version_order.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <limits>
#include <span>

#include "history/bucket_order.h"

namespace zerospof::history {
namespace {

constexpr std::uint32_t kNone = kNoBucket;  // no operation, version or group
constexpr std::int64_t kBeforeEverything = std::numeric_limits<std::int64_t>::min();
// Parsing an observed value tries every distinct appended length at each position; beyond this
// many lengths the parse would cost more than the search it replaces is worth trying first.
constexpr std::size_t kMostAppendLengths = 64;
constexpr std::size_t kValueShown = 40;  // characters of a value quoted in a reason

constexpr std::uint64_t kHashBase = 0x100000001B3ULL;  // of the polynomial hashes below

// kHashBase to the power `exponent`, from a table grown on demand.
std::uint64_t power(std::vector<std::uint64_t>& powers, std::size_t exponent) {
  while (powers.size() <= exponent)
    powers.push_back(powers.empty() ? 1 : powers.back() * kHashBase);
  return powers[exponent];
}

// Polynomial hashes of a text's prefixes, so that the hash of any substring costs O(1) and
// parsing a value costs time linear in its length. Equal hashes are confirmed by comparing the
// texts, so a collision costs time, never a wrong answer.
// The prefixes live in a buffer the caller reuses: a key parses a value per read, and an
// allocation per parse cost more than the parse on short values.
class PrefixHashes {
 public:
  PrefixHashes(std::string_view text, std::vector<std::uint64_t>& powers,
               std::vector<std::uint64_t>& prefix)
      : prefix_(prefix), powers_(powers) {
    power(powers_, text.size());  // every power of(...) may need
    prefix_.resize(text.size() + 1);
    prefix_[0] = 0;
    for (std::size_t i = 0; i < text.size(); ++i)
      prefix_[i + 1] = prefix_[i] * kHashBase + static_cast<unsigned char>(text[i]) + 1;
  }
  std::uint64_t of(std::size_t begin, std::size_t end) const {
    return prefix_[end] - prefix_[begin] * powers_[end - begin];
  }

 private:
  std::vector<std::uint64_t>& prefix_;
  std::vector<std::uint64_t>& powers_;
};

// PrefixHashes(text).of(0, text.size()), without the table.
std::uint64_t hash_of(std::string_view text) {
  std::uint64_t hash = 0;
  for (const char c : text) hash = hash * kHashBase + static_cast<unsigned char>(c) + 1;
  return hash;
}

// A map from 64-bit keys (text hashes, value ids) to operation indices, sized once for the
// key's operations: open addressing in one array, because node-based maps made an allocation
// per written value and per named version, most of the time of deciding a short key.
class OperationIndex {
 public:
  // Empties it, sized for `most_entries` (keeping its memory when that is enough).
  void reset(std::size_t most_entries) {
    slots_.assign(std::bit_ceil(2 * most_entries + 2), Slot{});
    shift_ = 64 - std::countr_zero(slots_.size());
  }
  // The value stored under `key`, after storing `value` there if there was none; and whether
  // it was stored now.
  std::pair<std::uint32_t, bool> emplace(std::uint64_t key, std::uint32_t value) {
    Slot& slot = slots_[probe(key)];
    if (slot.value != kNone) return {slot.value, false};
    slot = {key, value};
    return {value, true};
  }
  // The value stored under `key`, kNone if none.
  std::uint32_t find(std::uint64_t key) const { return slots_[probe(key)].value; }

 private:
  struct Slot {
    std::uint64_t key = 0;
    std::uint32_t value = kNone;
  };
  // The slot holding `key`, or the empty one where it would go (Fibonacci hashing spreads
  // value ids, which are small consecutive integers).
  std::size_t probe(std::uint64_t key) const {
    const std::size_t mask = slots_.size() - 1;
    std::size_t at = static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> shift_);
    while (slots_[at].value != kNone && slots_[at].key != key) at = (at + 1) & mask;
    return at;
  }
  std::vector<Slot> slots_;
  int shift_ = 64;
};

// The value a sequence of mutations leaves, as its length and polynomial hash (the hash of
// PrefixHashes), kept up to date in O(1) per mutation without building the text: two values
// that differ in length or hash differ, which is all a failed compare-and-set needs to know.
struct ValueSignature {
  std::size_t length = 0;
  std::uint64_t hash = 0;
  bool operator==(const ValueSignature&) const = default;
};

ValueSignature signature_of(std::string_view text) { return {text.size(), hash_of(text)}; }

std::string shown(std::string_view text) {
  if (text.size() <= kValueShown) return fmt::format("\"{}\"", text);
  return fmt::format("\"...{}\" ({} characters)", text.substr(text.size() - kValueShown),
                     text.size());
}

// "the initial value", "the write of \"a\"", "the append of \"x 1 0 y\"".
std::string name_of(const std::vector<PartitionOperation>& operations, const ValueTable& values,
                    std::uint32_t version) {
  if (version >= operations.size()) return "the initial value";
  const ModelOperation& operation = operations[version].model;
  const char* verb = operation.function == Function::kAppend  ? "append"
                     : operation.function == Function::kWrite ? "write"
                                                              : "compare-and-set";
  return fmt::format("the {} of {}", verb, shown(values.text(operation.argument)));
}

// A run of versions that must be contiguous in any linearization, with its reads.
struct Chain {
  // The initial version or a mutation, then its successors: [begin, end) of chain_versions.
  std::uint32_t begin = 0, end = 0;
  std::int64_t first_completion = std::numeric_limits<std::int64_t>::max();
  std::int64_t last_invocation = kBeforeEverything;
  std::uint32_t first_completing = kNone;  // the operation that completes first
  std::uint32_t last_invoked = kNone;      // the operation invoked last
  std::int64_t point = 0;                  // where it is placed, for chains that fit an instant
  bool spans_interval() const { return first_completion < last_invocation; }
};

// The containers of a Decision, kept from one key to the next on the same thread: on a history
// of many small keys an allocation per container per key was most of the time of deciding them.
struct DecisionMemory {
  void reset(std::size_t operations) {
    base_by_hash.reset(operations);
    append_by_hash.reset(operations);
    version_of.reset(operations);
    version_by_text.reset(operations);
    group_of.assign(operations, kNone);
    append_lengths.clear();
    predecessor.assign(operations + 1, kNone);
    successor.assign(operations + 1, kNone);
    link_observer.assign(operations + 1, kNone);
    read_version.assign(operations, kNone);
    readers.clear();
    reader_start.clear();
    effective.assign(operations, false);
    pending_compare_and_sets.clear();
    current_parse.clear();
    failed_compare_and_sets.clear();
    deferred_reads.clear();
    chains.clear();
    chain_versions.clear();
  }
  OperationIndex base_by_hash, append_by_hash, version_of, version_by_text;
  std::vector<std::uint32_t> group_of, group_start, group_members;
  std::vector<std::size_t> append_lengths;
  std::vector<std::uint64_t> powers, prefix_hashes;
  std::vector<std::uint32_t> predecessor, successor, link_observer, read_version;
  std::vector<std::uint32_t> readers, reader_start;
  std::vector<bool> effective;
  std::vector<std::uint32_t> pending_compare_and_sets, current_parse, failed_compare_and_sets;
  std::vector<std::uint32_t> deferred_reads;
  std::vector<Chain> chains;
  std::vector<std::uint32_t> chain_versions;
  // Scratch, reused: one of the key's operations each, and sorted chain indices.
  std::vector<bool> marks;
  std::vector<std::uint32_t> scratch;
  std::vector<std::int64_t> times;
  std::vector<const Chain*> spanning;
};

class Decision {
 public:
  Decision(const std::vector<PartitionOperation>& operations, const ValueTable& values,
           DecisionMemory& memory)
      : operations_(operations),
        values_(values),
        initial_(static_cast<std::uint32_t>(operations.size())),
        memory_(memory) {
    memory_.reset(operations.size());
  }

  VersionOrderResult run() {
    if (index_mutations() && name_observed_versions() && build_chains() && check_chains() &&
        check_zones())
      build_order();
    return std::move(result_);
  }

 private:
  const ModelOperation& model(std::uint32_t operation) const {
    return operations_[operation].model;
  }
  std::int64_t invoked(std::uint32_t operation) const { return operations_[operation].invoke_time; }
  std::int64_t completed(std::uint32_t operation) const {
    return operations_[operation].complete_time;
  }
  std::string_view text(ValueId value) const { return values_.text(value); }

  bool not_applicable(std::string reason) {
    result_.applicable = false;
    result_.not_applicable_reason = std::move(reason);
    return false;
  }

  bool index_mutations();
  bool index(OperationIndex& by_hash, std::uint32_t operation);
  bool index_append(std::uint32_t operation);
  bool resolve_appends(std::uint32_t base, std::uint32_t observer, ValueId value);
  bool name_observed_versions();
  void index_readers();
  std::span<const std::uint32_t> readers(std::uint32_t version) const {
    return std::span(readers_).subspan(reader_start_[version],
                                       reader_start_[version + 1] - reader_start_[version]);
  }
  bool name_version(ValueId value, std::uint32_t observer, std::uint32_t& version);
  std::uint32_t known_version(const PrefixHashes& hashes, std::string_view whole,
                              std::size_t end) const;
  bool is_text_of(std::uint32_t version, std::string_view prefix) const;
  bool possible_here(const PrefixHashes& hashes, std::string_view whole, std::size_t end,
                     std::uint32_t group_index, std::uint32_t observer) const;
  bool name_deferred_reads();
  bool link(std::uint32_t before, std::uint32_t after, std::uint32_t observer);
  bool build_chains();
  bool check_chains();
  bool check_zones();
  void build_order();
  bool place_failed(std::vector<std::uint32_t>& order);
  ValueSignature after(const ValueSignature& before, std::uint32_t operation);
  bool replay(const std::vector<std::uint32_t>& order);
  bool violation(std::vector<std::uint32_t> conflicting, std::string reason);

  const std::vector<PartitionOperation>& operations_;
  const ValueTable& values_;
  const std::uint32_t initial_;  // the version id of the initial value
  DecisionMemory& memory_;
  OperationIndex& base_by_hash_ = memory_.base_by_hash;  // writes, compare-and-sets
  // Appends by argument (the first append of the value): a group of the appends of one value,
  // in invocation order (clients append the same value again after a write has reset the key),
  // numbered in group_of_, its members in one array (group()).
  OperationIndex& append_by_hash_ = memory_.append_by_hash;
  std::vector<std::uint32_t>& group_of_ = memory_.group_of;
  std::vector<std::uint32_t>& group_start_ = memory_.group_start;
  std::vector<std::uint32_t>& group_members_ = memory_.group_members;
  std::span<const std::uint32_t> group(std::uint32_t index) const {
    return std::span(group_members_)
        .subspan(group_start_[index], group_start_[index + 1] - group_start_[index]);
  }
  std::span<const std::uint32_t> versions(const Chain& chain) const {
    return std::span(memory_.chain_versions).subspan(chain.begin, chain.end - chain.begin);
  }
  std::uint32_t groups_ = 0;
  std::vector<std::size_t>& append_lengths_ = memory_.append_lengths;
  std::vector<std::uint64_t>& powers_ = memory_.powers;
  std::vector<std::uint64_t>& prefix_hashes_ = memory_.prefix_hashes;  // PrefixHashes' buffer
  // Versions are named by the operation that made them (initial_ for the initial value).
  std::vector<std::uint32_t>& predecessor_ = memory_.predecessor;
  std::vector<std::uint32_t>& successor_ = memory_.successor;
  // The operation whose value showed predecessor_.
  std::vector<std::uint32_t>& link_observer_ = memory_.link_observer;
  OperationIndex& version_of_ = memory_.version_of;  // by value id
  // The versions placed so far, by the hash of their text (hash_of): a value that extends one
  // is parsed only past it (see known_version).
  OperationIndex& version_by_text_ = memory_.version_by_text;
  std::vector<std::uint32_t>& read_version_ = memory_.read_version;
  // The reads of each version, in invocation order: readers_ from reader_start_[version] to
  // reader_start_[version + 1] (one array, filled once every read is named).
  std::vector<std::uint32_t>& readers_ = memory_.readers;
  std::vector<std::uint32_t>& reader_start_ = memory_.reader_start;
  std::vector<bool>& effective_ = memory_.effective;  // took effect in every linearization
  std::vector<std::uint32_t>& pending_compare_and_sets_ = memory_.pending_compare_and_sets;
  // The mutations of the value being named.
  std::vector<std::uint32_t>& current_parse_ = memory_.current_parse;
  std::vector<std::uint32_t>& failed_compare_and_sets_ = memory_.failed_compare_and_sets;
  // Reads whose value holds an append that more than one operation may have made, named again
  // once the other reads have named more versions (name_deferred_reads).
  std::vector<std::uint32_t>& deferred_reads_ = memory_.deferred_reads;
  // Why the last name_version could not name its value yet (kNamed when it could, or when it
  // failed for good: result_ then says why), and the value; put in words only if it is the
  // final answer, since a read may wait several rounds.
  enum class Waiting : std::uint8_t { kNamed, kTwoWays, kTwoAppends };
  Waiting waiting_ = Waiting::kNamed;
  ValueId waiting_value_ = kAbsent;
  bool waits(Waiting why, ValueId value) {
    waiting_ = why;
    waiting_value_ = value;
    current_parse_.clear();
    return false;
  }
  bool not_applicable_while_waiting() {
    const std::string value = shown(text(waiting_value_));
    return not_applicable(
        waiting_ == Waiting::kTwoWays
            ? fmt::format("the value {} can be made in more than one way", value)
            : fmt::format("the value {} holds an append that more than one operation may have made",
                          value));
  }
  std::vector<Chain>& chains_ = memory_.chains;
  VersionOrderResult result_;
};

bool Decision::index(OperationIndex& by_hash, std::uint32_t operation) {
  const std::string_view value = text(model(operation).argument);
  const auto [indexed, inserted] = by_hash.emplace(hash_of(value), operation);
  if (inserted) return true;
  if (text(model(indexed).argument) == value)
    return not_applicable(fmt::format("the value {} is written more than once", shown(value)));
  return not_applicable("two written values have the same hash");
}

bool Decision::index_append(std::uint32_t operation) {
  const std::string_view value = text(model(operation).argument);
  const auto [indexed, inserted] = append_by_hash_.emplace(hash_of(value), operation);
  if (inserted) {
    group_of_[operation] = groups_++;
    return true;
  }
  if (text(model(indexed).argument) != value)
    return not_applicable("two appended values have the same hash");
  group_of_[operation] = group_of_[indexed];
  return true;
}

bool Decision::index_mutations() {
  std::vector<std::size_t>& lengths = append_lengths_;
  for (std::uint32_t i = 0; i < operations_.size(); ++i) {
    const ModelOperation& operation = model(i);
    switch (operation.function) {
      case Function::kRead:
        break;
      case Function::kCompareAndSet:
        if (operation.outcome == Outcome::kFailed) {
          // It only says what the value was not: placed once the order stands (place_failed).
          failed_compare_and_sets_.push_back(i);
          break;
        }
        if (operation.argument == operation.expected)
          return not_applicable("a compare-and-set sets the value it expects");
        [[fallthrough]];
      case Function::kWrite:
        if (operation.argument == kAbsent)
          return not_applicable("a write of the empty value, which the initial value also is");
        if (!index(base_by_hash_, i)) return false;
        break;
      case Function::kAppend:
        if (operation.argument == kAbsent) return not_applicable("an append of nothing");
        if (!index_append(i)) return false;
        lengths.push_back(text(operation.argument).size());
        break;
    }
  }
  std::sort(lengths.begin(), lengths.end());
  lengths.erase(std::unique(lengths.begin(), lengths.end()), lengths.end());
  if (lengths.size() > kMostAppendLengths)
    return not_applicable("appended values of too many different lengths");
  order_by_bucket(group_of_, groups_, group_start_, group_members_);
  return true;
}

// Every value an operation saw names a version: the reads' values, and the expected value of
// every compare-and-set that took effect.
bool Decision::name_observed_versions() {
  for (std::uint32_t i = 0; i < operations_.size(); ++i) {
    const ModelOperation& operation = model(i);
    if (operation.function == Function::kRead && operation.outcome == Outcome::kOk) {
      if (name_version(operation.observed, i, read_version_[i])) continue;
      if (waiting_ == Waiting::kNamed) return false;
      deferred_reads_.push_back(i);
    } else if (operation.function != Function::kRead && operation.outcome == Outcome::kOk) {
      effective_[i] = true;
      if (operation.function == Function::kCompareAndSet) pending_compare_and_sets_.push_back(i);
    }
  }
  if (!name_deferred_reads()) return false;
  // A compare-and-set comes right after the version its expected value names; naming it may
  // reveal further compare-and-sets that took effect (iteratively: chains of them can be long).
  std::vector<bool>& linked = memory_.marks;
  linked.assign(operations_.size(), false);
  while (!pending_compare_and_sets_.empty()) {
    const std::uint32_t operation = pending_compare_and_sets_.back();
    pending_compare_and_sets_.pop_back();
    if (linked[operation]) continue;
    linked[operation] = true;
    std::uint32_t before = kNone;
    if (!name_version(model(operation).expected, operation, before))
      return waiting_ == Waiting::kNamed ? false : not_applicable_while_waiting();
    if (!link(before, operation, operation)) return false;
  }
  index_readers();
  return true;
}

// A value whose appends more than one operation may have made can become decidable once other
// reads have named its prefix (known_version) or placed the other candidates (resolve_appends):
// each round names what it can, until a round names nothing new.
bool Decision::name_deferred_reads() {
  // Until a round names none: then every read of the last round waits, the last one included.
  for (std::size_t before_round = deferred_reads_.size() + 1;
       deferred_reads_.size() < before_round;) {
    before_round = deferred_reads_.size();
    std::size_t kept = 0;
    for (const std::uint32_t read : deferred_reads_) {
      if (name_version(model(read).observed, read, read_version_[read])) continue;
      if (waiting_ == Waiting::kNamed) return false;
      deferred_reads_[kept++] = read;
    }
    deferred_reads_.resize(kept);
  }
  if (deferred_reads_.empty()) return true;
  return not_applicable_while_waiting();
}

// The version already placed whose text is whole's first `end` characters, or kNone. Its
// parse was unique at every step, and a text parses the same way wherever it appears, so the
// rest of `whole` is parsed from there. (Each version of a key has its own text: a write
// resets the key to a value written once, and appends only lengthen it.)
std::uint32_t Decision::known_version(const PrefixHashes& hashes, std::string_view whole,
                                      std::size_t end) const {
  const std::uint32_t version = version_by_text_.find(hashes.of(0, end));
  if (version == kNone || !is_text_of(version, whole.substr(0, end))) return kNone;
  return version;
}

// Whether an append of `group` may make the version whose text ends at whole's `end` +
// its length, right after the version whose text is whole's first `end` characters. Not if
// every append of the group was invoked after `observer` completed, or is placed already (it
// made another version: this one is not known, or the parse would have stopped at it); nor if
// the version before is placed and so is what follows it, and that is not an append of this
// value (placements are forced choices).
bool Decision::possible_here(const PrefixHashes& hashes, std::string_view whole, std::size_t end,
                             std::uint32_t group_index, std::uint32_t observer) const {
  const std::span<const std::uint32_t> appends = group(group_index);
  if (std::none_of(appends.begin(), appends.end(), [&](std::uint32_t candidate) {
        return invoked(candidate) <= completed(observer) && predecessor_[candidate] == kNone;
      }))
    return false;
  const std::uint32_t version = end == 0 ? initial_ : known_version(hashes, whole, end);
  if (version == kNone || successor_[version] == kNone) return true;
  const ModelOperation& next = model(successor_[version]);
  return next.function == Function::kAppend && next.argument == model(appends.front()).argument;
}

// Whether `prefix` is the text of the placed `version`, read back along its chain.
bool Decision::is_text_of(std::uint32_t version, std::string_view prefix) const {
  for (std::uint32_t at = version; at != initial_; at = predecessor_[at]) {
    const std::string_view piece = text(model(at).argument);
    if (model(at).function != Function::kAppend) return prefix == piece;
    if (!prefix.ends_with(piece)) return false;
    prefix.remove_suffix(piece.size());
  }
  return prefix.empty();
}

void Decision::index_readers() {
  // Versions are the operations and the initial value (initial_).
  order_by_bucket(read_version_, operations_.size() + 1, reader_start_, readers_);
}

// Parses `value` from its end: each step either ends at a written value (or the empty initial
// value) or strips one appended value. With unique values at most one of these may match at
// each step; two make the value ambiguous (the search decides), none make it impossible.
bool Decision::name_version(ValueId value, std::uint32_t observer, std::uint32_t& version) {
  waiting_ = Waiting::kNamed;
  if (const std::uint32_t known = version_of_.find(value); known != kNone) {
    version = known;
    return true;
  }
  const std::string_view whole = text(value);
  const PrefixHashes hashes(whole, powers_, prefix_hashes_);
  current_parse_.clear();
  std::uint32_t base = kNone;
  std::size_t end = whole.size();  // where the base's text ends once the loop stops
  while (base == kNone) {
    if (end == 0) {
      base = initial_;
      break;
    }
    if (const std::uint32_t known = known_version(hashes, whole, end); known != kNone) {
      base = known;
      break;
    }
    // The ways this step can end: the write (or compare-and-set) of whole[0, end), or an append
    // group of whole[end - length, end). Where the text allows more than one, those that cannot
    // be there are dropped (possible_here); if more than one is left the value waits.
    std::uint32_t matches = 0, possible = 0, appended = kNone;
    std::size_t appended_length = 0;
    if (const std::uint32_t found = base_by_hash_.find(hashes.of(0, end));
        found != kNone && text(model(found).argument) == whole.substr(0, end)) {
      ++matches;
      ++possible;
      base = found;
    }
    std::size_t first_length = 0, possible_length = 0;
    std::uint32_t first_group = kNone, possible_group = kNone;
    for (const std::size_t length : append_lengths_) {
      if (length > end) break;
      const std::uint32_t first = append_by_hash_.find(hashes.of(end - length, end));
      if (first == kNone || text(model(first).argument) != whole.substr(end - length, length))
        continue;
      const std::uint32_t found = group_of_[first];
      ++matches;
      if (first_group == kNone) {
        first_group = found;
        first_length = length;
      }
      if (possible_here(hashes, whole, end - length, found, observer)) {
        ++possible;
        possible_group = found;
        possible_length = length;
      }
    }
    if (matches == 1 && first_group != kNone) {
      appended = first_group;
      appended_length = first_length;
    } else if (matches > 1) {
      if (possible != 1) {
        return waits(Waiting::kTwoWays, value);
      }
      if (possible_group != kNone) {
        base = kNone;
        appended = possible_group;
        appended_length = possible_length;
      }
    }
    if (matches == 0) {
      current_parse_.clear();  // append groups, not operations yet
      std::vector<std::uint32_t> conflicting{observer};
      return violation(
          conflicting,
          fmt::format("it saw {}, which no sequence of the key's writes and appends makes",
                      shown(whole)));
    }
    if (base != kNone) break;
    current_parse_.push_back(appended);
    end -= appended_length;
  }
  std::reverse(current_parse_.begin(), current_parse_.end());
  if (!resolve_appends(base, observer, value)) return false;
  if (base != initial_) current_parse_.insert(current_parse_.begin(), base);
  std::uint32_t previous = base;
  if (base != initial_) {
    effective_[base] = true;
    if (model(base).function == Function::kCompareAndSet) pending_compare_and_sets_.push_back(base);
  }
  if (base != initial_) version_by_text_.emplace(hashes.of(0, end), base);
  for (std::size_t i = base == initial_ ? 0 : 1; i < current_parse_.size(); ++i) {
    if (!link(previous, current_parse_[i], observer)) return false;
    effective_[current_parse_[i]] = true;
    previous = current_parse_[i];
    end += text(model(previous).argument).size();
    version_by_text_.emplace(hashes.of(0, end), previous);
  }
  version_of_.emplace(value, previous);
  version = previous;
  current_parse_.clear();
  return true;
}

// current_parse_ holds append groups in the order the value shows them; each becomes the one
// append of its group that can be there: not completed before the base was invoked (it took
// effect after the base, or the version the parse started from), invoked before the observer
// completed, not already used earlier in this value, and not already placed elsewhere by
// another value (an operation takes effect once, and placements are forced choices). Forced
// choices only: two candidates leave the value waiting (waits).
bool Decision::resolve_appends(std::uint32_t base, std::uint32_t observer, ValueId value) {
  const std::string_view whole = text(value);
  const std::int64_t after = base == initial_ ? kBeforeEverything : invoked(base);
  const std::int64_t before = completed(observer);
  for (std::size_t position = 0; position < current_parse_.size(); ++position) {
    const std::span<const std::uint32_t> appends = group(current_parse_[position]);
    std::uint32_t chosen = kNone;
    for (const std::uint32_t candidate : appends) {
      const auto used = current_parse_.begin() + static_cast<long>(position);
      if (completed(candidate) < after || invoked(candidate) > before ||
          (appends.size() > 1 && (predecessor_[candidate] != kNone ||
                                  std::find(current_parse_.begin(), used, candidate) != used)))
        continue;
      if (chosen != kNone) return waits(Waiting::kTwoAppends, value);
      chosen = candidate;
    }
    if (chosen == kNone) {
      current_parse_.resize(position);
      return violation({observer},
                       fmt::format("it saw {}, more appends of {} than could have happened",
                                   shown(whole), shown(text(model(appends.front()).argument))));
    }
    current_parse_[position] = chosen;
  }
  return true;
}

bool Decision::link(std::uint32_t before, std::uint32_t after, std::uint32_t observer) {
  if (predecessor_[after] == before) return true;
  if (predecessor_[after] != kNone)
    return violation({observer, link_observer_[after]},
                     fmt::format("their values put {} right after two different versions",
                                 name_of(operations_, values_, after)));
  if (successor_[before] != kNone)
    return violation({observer, link_observer_[successor_[before]]},
                     fmt::format("their values put two different mutations right after {}",
                                 name_of(operations_, values_, before)));
  predecessor_[after] = before;
  successor_[before] = after;
  link_observer_[after] = observer;
  return true;
}

// Chains start at the initial value, at a write, or at an append nobody saw the effect of.
// A mutation that took effect but is reached from no start is on a cycle of compare-and-sets.
bool Decision::build_chains() {
  std::vector<std::uint32_t>& starts = memory_.scratch;
  starts.assign(1, initial_);
  for (std::uint32_t i = 0; i < operations_.size(); ++i)
    if (effective_[i] && predecessor_[i] == kNone) starts.push_back(i);
  std::vector<bool>& reached = memory_.marks;
  reached.assign(operations_.size() + 1, false);
  std::vector<std::uint32_t>& all_versions = memory_.chain_versions;
  for (const std::uint32_t start : starts) {
    Chain chain;
    chain.begin = static_cast<std::uint32_t>(all_versions.size());
    for (std::uint32_t version = start; version != kNone; version = successor_[version]) {
      all_versions.push_back(version);
      reached[version] = true;
    }
    chain.end = static_cast<std::uint32_t>(all_versions.size());
    chains_.push_back(chain);
  }
  for (std::uint32_t i = 0; i < operations_.size(); ++i) {
    if (!effective_[i] || reached[i]) continue;
    std::vector<std::uint32_t> cycle;
    for (std::uint32_t version = i; !reached[version]; version = predecessor_[version]) {
      reached[version] = true;
      cycle.push_back(version);
    }
    return violation(std::move(cycle),
                     "each compare-and-set expected a value that only another of them makes, so "
                     "none of them can be first");
  }
  return true;
}

// Within a chain the order is fixed but for the reads of one version, which commute. Placing
// every operation as early as its invocation and the order allow decides whether the chain fits
// real time; the chain's zone is then the interval between its first completion and its last
// invocation.
bool Decision::check_chains() {
  for (Chain& chain : chains_) {
    std::int64_t now = kBeforeEverything;
    std::uint32_t now_set_by = kNone;
    auto place = [&](std::uint32_t operation) {
      if (invoked(operation) > now) {
        now = invoked(operation);
        now_set_by = operation;
      }
      if (completed(operation) < chain.first_completion) {
        chain.first_completion = completed(operation);
        chain.first_completing = operation;
      }
      if (invoked(operation) > chain.last_invocation) {
        chain.last_invocation = invoked(operation);
        chain.last_invoked = operation;
      }
    };
    if (versions(chain).front() == initial_) chain.first_completion = kBeforeEverything;
    for (const std::uint32_t version : versions(chain)) {
      std::int64_t after_mutation = now;
      std::uint32_t after_mutation_set_by = now_set_by;
      if (version != initial_) {
        place(version);
        if (now > completed(version))
          return violation({now_set_by, version},
                           "the values they saw put the second after the first, yet it "
                           "completed before the first was invoked");
        after_mutation = now;
        after_mutation_set_by = now_set_by;
      }
      for (const std::uint32_t reader : readers(version)) {
        if (after_mutation > completed(reader))
          return violation({after_mutation_set_by, reader},
                           "the values they saw put the read after the other, yet it "
                           "completed before the other was invoked");
        place(reader);
      }
    }
  }
  return true;
}

// Gibbons and Korach: chains that span an interval may not overlap, and a chain that fits an
// instant needs one outside every spanning chain's interval.
bool Decision::check_zones() {
  std::vector<const Chain*>& spanning = memory_.spanning;
  spanning.clear();
  for (const Chain& chain : chains_)
    if (chain.spans_interval()) spanning.push_back(&chain);
  std::sort(spanning.begin(), spanning.end(), [](const Chain* a, const Chain* b) {
    return a->first_completion < b->first_completion;
  });
  auto both = [](const Chain& a, const Chain& b) {
    std::vector<std::uint32_t> operations;
    for (const std::uint32_t operation :
         {a.first_completing, a.last_invoked, b.first_completing, b.last_invoked})
      if (operation != kNone) operations.push_back(operation);
    return operations;
  };
  const Chain* widest = nullptr;
  for (const Chain* chain : spanning) {
    if (widest && chain->first_completion < widest->last_invocation)
      return violation(both(*widest, *chain),
                       fmt::format("{} and {} were each still seen after the other had taken "
                                   "effect",
                                   name_of(operations_, values_, versions(*widest).front()),
                                   name_of(operations_, values_, versions(*chain).front())));
    if (!widest || chain->last_invocation > widest->last_invocation) widest = chain;
  }
  std::vector<std::int64_t>& starts = memory_.times;
  starts.clear();
  for (const Chain* chain : spanning) starts.push_back(chain->first_completion);
  for (Chain& chain : chains_) {
    if (chain.spans_interval()) {
      chain.point = chain.first_completion;
      continue;
    }
    chain.point = chain.last_invocation;
    const auto after = std::lower_bound(starts.begin(), starts.end(), chain.last_invocation);
    if (after == starts.begin()) continue;
    const Chain& around = *spanning[static_cast<std::size_t>(after - starts.begin() - 1)];
    if (chain.point >= around.last_invocation) continue;
    if (chain.first_completion < around.last_invocation)
      return violation(both(around, chain),
                       fmt::format("{} took effect after an operation on {} completed and "
                                   "before one that still saw it was invoked",
                                   name_of(operations_, values_, versions(chain).front()),
                                   name_of(operations_, values_, versions(around).front())));
    chain.point = around.last_invocation;
  }
  return true;
}

// Chains in the order of their places (at one instant, a chain that fits it before one that
// starts spanning there), each in its own order; then replayed to prove it.
void Decision::build_order() {
  std::vector<std::uint32_t>& by_place = memory_.scratch;
  by_place.resize(chains_.size());
  for (std::uint32_t i = 0; i < by_place.size(); ++i) by_place[i] = i;
  // Ties keep the chains' own order, as a stable sort would (std::stable_sort allocates a
  // buffer on every call, most of the time of sorting a short key's few chains).
  std::sort(by_place.begin(), by_place.end(), [&](std::uint32_t a, std::uint32_t b) {
    const Chain& first = chains_[a];
    const Chain& second = chains_[b];
    if (first.point != second.point) return first.point < second.point;
    if (first.spans_interval() != second.spans_interval()) return !first.spans_interval();
    return a < b;
  });
  std::vector<std::uint32_t> order;
  order.reserve(operations_.size());
  for (const std::uint32_t index : by_place)
    for (const std::uint32_t version : versions(chains_[index])) {
      if (version != initial_) order.push_back(version);
      const std::span<const std::uint32_t> reads = readers(version);
      order.insert(order.end(), reads.begin(), reads.end());
    }
  if (!place_failed(order)) return;
  if (!replay(order)) {
    not_applicable("the order built from the versions did not replay (a defect: searching)");
    return;
  }
  result_.applicable = true;
  result_.verdict = Verdict::kLinearizable;
  result_.order = std::move(order);
}

ValueSignature Decision::after(const ValueSignature& before, std::uint32_t operation) {
  const ModelOperation& mutation = model(operation);
  const std::string_view argument = text(mutation.argument);
  const ValueSignature added = signature_of(argument);
  if (mutation.function != Function::kAppend) return added;
  return {before.length + added.length, before.hash * power(powers_, added.length) + added.hash};
}

// Failed compare-and-sets merged into the order by one sweep: before each operation of the
// order, every failed compare-and-set invoked by the time that operation goes in is placed,
// if the value is not the one it expected; placing it then delays nothing. One that would have
// to wait for a value that does not come before it completes leaves the key to the search.
bool Decision::place_failed(std::vector<std::uint32_t>& order) {
  if (failed_compare_and_sets_.empty()) return true;
  std::vector<ValueSignature> expected(operations_.size());
  for (const std::uint32_t operation : failed_compare_and_sets_)
    expected[operation] = signature_of(text(model(operation).expected));
  std::vector<std::uint32_t> merged, waiting;
  merged.reserve(order.size() + failed_compare_and_sets_.size());
  std::size_t admitted = 0;  // failed_compare_and_sets_ is in invocation order
  std::int64_t now = kBeforeEverything;
  ValueSignature value;
  for (std::size_t k = 0;; ++k) {
    const bool last = k == order.size();
    const std::int64_t next = last ? kNever : std::max(now, invoked(order[k]));
    for (; admitted < failed_compare_and_sets_.size() &&
           invoked(failed_compare_and_sets_[admitted]) <= next;
         ++admitted)
      waiting.push_back(failed_compare_and_sets_[admitted]);
    std::erase_if(waiting, [&](std::uint32_t operation) {
      if (value == expected[operation]) return false;
      merged.push_back(operation);
      now = std::max(now, invoked(operation));
      return true;
    });
    for (const std::uint32_t operation : waiting)
      if (completed(operation) < next || last)
        return not_applicable(
            "a failed compare-and-set found no place in the order the versions give");
    if (last) break;
    merged.push_back(order[k]);
    now = next;
    if (model(order[k]).function != Function::kRead) value = after(value, order[k]);
  }
  order = std::move(merged);
  return true;
}

// The order against the model, by versions rather than by values (a value names its version,
// which the parse established by comparing texts; failed compare-and-sets by the signature of
// the value), and against real time: each operation as
// early as its invocation and its predecessors allow, no later than its completion.
bool Decision::replay(const std::vector<std::uint32_t>& order) {
  std::uint32_t state = initial_;
  ValueSignature value;
  std::int64_t now = kBeforeEverything;
  std::vector<bool>& placed = memory_.marks;
  placed.assign(operations_.size(), false);
  for (const std::uint32_t operation : order) {
    if (placed[operation]) return false;
    placed[operation] = true;
    now = std::max(now, invoked(operation));
    if (now > completed(operation)) return false;
    switch (model(operation).function) {
      case Function::kRead:
        if (read_version_[operation] != state) return false;
        continue;
      case Function::kWrite:
        break;
      case Function::kAppend:
      case Function::kCompareAndSet:
        if (model(operation).outcome == Outcome::kFailed) {
          if (value == signature_of(text(model(operation).expected))) return false;
          continue;
        }
        if (predecessor_[operation] != kNone && predecessor_[operation] != state) return false;
        if (predecessor_[operation] == kNone && model(operation).function != Function::kAppend)
          return false;
        break;
    }
    state = operation;
    value = after(value, operation);
  }
  for (std::uint32_t i = 0; i < operations_.size(); ++i)
    if (!placed[i] && model(i).outcome != Outcome::kUnknown) return false;
  return true;
}

// The witness: the conflicting operations and what makes their versions evident in a
// sub-history of their own: every mutation back to each chain's start, and for each mutation the
// operation whose value showed its place (closed under the same rule).
bool Decision::violation(std::vector<std::uint32_t> conflicting, std::string reason) {
  std::vector<bool> in_witness(operations_.size(), false);
  std::vector<std::uint32_t> witness, pending;
  std::erase(conflicting, kNone);
  pending.insert(pending.end(), conflicting.begin(), conflicting.end());
  pending.insert(pending.end(), current_parse_.begin(), current_parse_.end());
  while (!pending.empty()) {
    const std::uint32_t operation = pending.back();
    pending.pop_back();
    if (operation >= operations_.size() || in_witness[operation]) continue;
    in_witness[operation] = true;
    witness.push_back(operation);
    if (model(operation).function == Function::kRead) {
      pending.push_back(read_version_[operation]);
    } else {
      pending.push_back(predecessor_[operation]);
      pending.push_back(link_observer_[operation]);
      // An operation of unknown outcome took effect only because something saw it: keep that.
      if (model(operation).outcome == Outcome::kUnknown) {
        // (the readers' index may not be built yet: the violation can be found while naming)
        const auto reader = std::find(read_version_.begin(), read_version_.end(), operation);
        if (reader != read_version_.end())
          pending.push_back(static_cast<std::uint32_t>(reader - read_version_.begin()));
        if (successor_[operation] != kNone)
          pending.push_back(link_observer_[successor_[operation]]);
      }
    }
  }
  std::sort(conflicting.begin(), conflicting.end());
  conflicting.erase(std::unique(conflicting.begin(), conflicting.end()), conflicting.end());
  std::sort(witness.begin(), witness.end());
  result_.applicable = true;
  result_.verdict = Verdict::kNotLinearizable;
  result_.conflicting = std::move(conflicting);
  result_.witness = std::move(witness);
  result_.reason = std::move(reason);
  return false;
}

}  // namespace

VersionOrderResult decide_by_version_order(const std::vector<PartitionOperation>& operations,
                                           const ValueTable& values) {
  // A key beyond this many operations decides with memory of its own, so that a thread does not
  // keep a large key's memory for the rest of its life.
  constexpr std::size_t kMostKeptOperations = 1 << 16;
  thread_local DecisionMemory kept;
  if (operations.size() > kMostKeptOperations) {
    DecisionMemory own;
    return Decision(operations, values, own).run();
  }
  return Decision(operations, values, kept).run();
}

}  // namespace zerospof::history
