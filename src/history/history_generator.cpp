#include "history/history_generator.h"

#include <fmt/format.h>

#include <map>
#include <random>

namespace zerospof::history {
namespace {

// A client's operation: invoked, then applied to the store, then completed, one step per tick.
struct Client {
  std::int64_t process = 0;
  std::size_t operation = 0;
  bool busy = false;
  bool applied = false;
};

class Simulation {
 public:
  explicit Simulation(const GeneratorOptions& options)
      : options_(options),
        random_(options.seed),
        clients_(std::max<std::size_t>(1, options.processes)) {
    for (std::size_t i = 0; i < clients_.size(); ++i) clients_[i].process = next_process_++;
  }

  History run() {
    while (invoked_ < options_.operations || any_busy() || !stuck_.empty()) {
      ++time_;
      start_stall_when_due();
      if (!stuck_.empty() && chance(100)) apply_stuck();
      advance(clients_[pick(clients_.size())]);
    }
    if (options_.plant_violation) plant_violation();
    return std::move(history_);
  }

 private:
  bool chance(std::uint32_t per_mille) { return pick(1000) < per_mille; }
  std::size_t pick(std::size_t bound) {
    return std::uniform_int_distribution<std::size_t>(0, bound - 1)(random_);
  }
  bool any_busy() const {
    return std::any_of(clients_.begin(), clients_.end(), [](const Client& c) { return c.busy; });
  }

  // A stall starts at each of `stalls` evenly spaced points of the history and lasts long enough
  // for every client to invoke an operation that then hangs.
  void start_stall_when_due() {
    if (stalls_started_ >= options_.stalls) return;
    const std::size_t due = (stalls_started_ + 1) * options_.operations / (options_.stalls + 1);
    if (invoked_ < due) return;
    ++stalls_started_;
    stalled_until_ = time_ + static_cast<std::int64_t>(8 * clients_.size());
  }

  void advance(Client& client) {
    if (!client.busy) {
      if (invoked_ < options_.operations) invoke(client);
    } else if (time_ < stalled_until_) {
      return;  // the operation hangs: the failover has not ended
    } else if (options_.crash_per_mille > 0 && chance(options_.crash_per_mille)) {
      crash(client);
    } else if (!client.applied && chance(options_.unknown_per_mille)) {
      give_up(client, /*applied=*/false);
    } else if (!client.applied) {
      apply(history_.operations[client.operation]);
      client.applied = true;
    } else if (chance(options_.unknown_per_mille)) {
      give_up(client, /*applied=*/true);
    } else {
      Operation& operation = history_.operations[client.operation];
      operation.complete_time = time_;
      operation.complete_line = static_cast<int>(time_);
      client.busy = false;
    }
  }

  void invoke(Client& client) {
    Operation operation;
    operation.process = client.process;
    operation.key = options_.keys <= 1 ? std::string() : std::to_string(pick(options_.keys));
    operation.invoke_time = time_;
    operation.invoke_line = static_cast<int>(time_);
    choose_function(operation);
    client.operation = history_.operations.size();
    client.busy = true;
    client.applied = false;
    history_.operations.push_back(std::move(operation));
    ++invoked_;
  }

  void choose_function(Operation& operation) {
    const std::size_t roll = pick(10);
    if (options_.key_value) {
      const bool compare_and_set =
          options_.compare_and_set_per_mille > 0 && chance(options_.compare_and_set_per_mille);
      operation.function = compare_and_set ? Function::kCompareAndSet
                           : roll < 4      ? Function::kRead
                           : roll < 6      ? Function::kWrite
                                           : Function::kAppend;
    } else {
      operation.function = roll < 4   ? Function::kRead
                           : roll < 7 ? Function::kWrite
                                      : Function::kCompareAndSet;
    }
    if (operation.function == Function::kRead) return;
    operation.argument = new_value(operation);
    if (operation.function == Function::kCompareAndSet)
      operation.expected = expected_value(operation);
  }

  std::string new_value(const Operation& operation) {
    if (operation.function == Function::kAppend && options_.repeated_append_per_mille > 0) {
      std::vector<std::string>& appended = appended_[operation.key];
      if (!appended.empty() && chance(options_.repeated_append_per_mille))
        return appended[pick(appended.size())];
      appended.push_back(fmt::format("x {} {} y", operation.process, invoked_));
      return appended.back();
    }
    if (options_.key_value || options_.unique_values)
      return fmt::format("x {} {} y", operation.process, invoked_);
    return std::to_string(pick(options_.register_values));
  }

  // With unique values a compare-and-set mostly expects what the key holds now (else it would
  // almost always fail), sometimes an older value.
  Value expected_value(const Operation& operation) {
    if (!options_.key_value && !options_.unique_values)
      return std::to_string(pick(options_.register_values));
    const std::vector<Value>& older = written_[operation.key];
    if (older.empty() || pick(2) == 0) return store_[operation.key];
    return older[pick(older.size())];
  }

  // The client dies mid-operation and never reports; its operation may still take effect.
  void crash(Client& client) {
    Operation& operation = history_.operations[client.operation];
    operation.outcome = Outcome::kUnknown;
    operation.observed.reset();
    operation.complete_time = kNever;
    operation.complete_line = 0;
    if (!client.applied && pick(2) == 0) stuck_.push_back(client.operation);
    client = Client{next_process_++};
  }

  // One ok read is made to see the value of an earlier read of its key, or a value nobody wrote.
  void plant_violation() {
    std::vector<std::size_t> reads;
    for (std::size_t i = 0; i < history_.operations.size(); ++i)
      if (history_.operations[i].function == Function::kRead &&
          history_.operations[i].outcome == Outcome::kOk)
        reads.push_back(i);
    if (reads.empty()) return;
    Operation& read = history_.operations[reads[pick(reads.size())]];
    for (const std::size_t earlier : reads) {
      const Operation& other = history_.operations[earlier];
      if (other.key == read.key && other.complete_time < read.invoke_time &&
          other.observed != read.observed && pick(4) == 0) {
        read.observed = other.observed;
        return;
      }
    }
    read.observed = "planted, never written";
  }

  // The client's outcome is lost. An operation not applied yet either never takes effect or
  // takes effect later; the client is replaced by a new process, as Jepsen does.
  void give_up(Client& client, bool applied) {
    Operation& operation = history_.operations[client.operation];
    operation.outcome = Outcome::kUnknown;
    operation.observed.reset();
    operation.complete_time = time_;
    operation.complete_line = static_cast<int>(time_);
    if (!applied && pick(2) == 0) stuck_.push_back(client.operation);
    client = Client{next_process_++};
  }

  void apply_stuck() {
    const std::size_t index = pick(stuck_.size());
    const std::size_t operation = stuck_[index];
    stuck_.erase(stuck_.begin() + static_cast<long>(index));
    const Outcome outcome = history_.operations[operation].outcome;
    apply(history_.operations[operation]);
    history_.operations[operation].outcome = outcome;  // still unknown to the history
    history_.operations[operation].observed.reset();
  }

  void apply(Operation& operation) {
    Value& stored = store_[operation.key];
    switch (operation.function) {
      case Function::kRead:
        operation.observed = stored;
        break;
      case Function::kWrite:
        stored = operation.argument;
        break;
      case Function::kAppend:
        stored = stored.value_or("") + operation.argument.value_or("");
        break;
      case Function::kCompareAndSet:
        operation.outcome = stored.value_or("") == operation.expected.value_or("")
                                ? Outcome::kOk
                                : Outcome::kFailed;
        if (operation.outcome == Outcome::kOk) stored = operation.argument;
        break;
    }
    if (operation.function != Function::kRead) written_[operation.key].push_back(stored);
  }

  const GeneratorOptions& options_;
  std::mt19937_64 random_;
  std::vector<Client> clients_;
  std::map<std::string, Value> store_;
  std::map<std::string, std::vector<Value>> written_;         // every value each key has held
  std::map<std::string, std::vector<std::string>> appended_;  // values appended, to repeat
  std::vector<std::size_t> stuck_;
  History history_{"generated"};
  std::int64_t time_ = 0;
  std::int64_t next_process_ = 0;
  std::size_t invoked_ = 0;
  std::size_t stalls_started_ = 0;
  std::int64_t stalled_until_ = 0;
};

}  // namespace

History generate_history(const GeneratorOptions& options) { return Simulation(options).run(); }

}  // namespace zerospof::history
