// InMemoryApi: a test double of the Kubernetes API's ConfigMaps as an HttpClient: resourceVersions,
// compare-and-set on PUT, and watches (?watch=1&resourceVersion=RV) that deliver every later change
// of the object in order. It can black-hole requests for a while (no answer until the request's
// timeout, as one sent to a crashed host's address), it can be told to skip delivering one
// change to watches, as a faulty watch cache would, and to restart its watch cache, as a restarted
// apiserver's (410 Gone for a watch from before it). Used where a real apiserver cannot be made to
// fail to the millisecond.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "observe/http.h"

namespace zerospof::testing {

class InMemoryApi : public observe::HttpClient {
 public:
  using Clock = std::chrono::steady_clock;

  observe::HttpResponse send(const observe::HttpRequest& request) override {
    if (in_black_hole(Clock::now())) {
      std::this_thread::sleep_for(request.timeout * hang_factor.load());
      return {.status = 0, .maybe_sent = true, .error = "Timeout was reached"};
    }
    if (request.url.find("watch=1") != std::string::npos) return watch(request);
    std::lock_guard lock(mutex_);
    std::string name = request.url.substr(request.url.rfind('/') + 1);
    if (request.method == "GET") {
      auto found = objects_.find(name);
      if (found == objects_.end()) return {.status = 404, .maybe_sent = true};
      return {.status = 200, .body = object(name, found->second).dump(), .maybe_sent = true};
    }
    if (request.method == "DELETE") {
      objects_.erase(name);
      return {.status = 200, .body = "{}", .maybe_sent = true};
    }
    auto body = nlohmann::json::parse(request.body);
    name = body["metadata"]["name"];
    std::string value = body["data"]["value"];
    std::string expected = body["metadata"].value("resourceVersion", "");
    if (request.method == "POST" && objects_.count(name))
      return {.status = 409, .body = R"({"reason":"AlreadyExists"})", .maybe_sent = true};
    if (request.method == "PUT" && !expected.empty() &&
        std::to_string(objects_[name].first) != expected)
      return {.status = 409, .body = R"({"reason":"Conflict"})", .maybe_sent = true};
    objects_[name] = {++revision_, value};
    changes_.push_back({name, objects_[name]});
    return {.status = 200, .body = object(name, objects_[name]).dump(), .maybe_sent = true};
  }

  // How many timeouts a request in the black hole takes: 1 is an HTTP client that keeps its
  // timeout; more, one that does not.
  std::atomic<int> hang_factor{1};

  void black_hole(Clock::time_point from, Clock::time_point until) {
    std::lock_guard lock(mutex_);
    hole_from_ = from;
    hole_until_ = until;
  }
  // Watches never deliver the `nth` change (counted from 1) made from now on.
  void skip_in_watches(int nth) {
    std::lock_guard lock(mutex_);
    skipped_revision_ = revision_ + nth;
  }
  // As an apiserver restarted now: its watch cache begins `changes` changes from now, so a watch
  // from an older resourceVersion is refused with 410 Gone and those changes are never events.
  void restart_watch_cache(int changes) {
    std::lock_guard lock(mutex_);
    cache_start_ = revision_ + changes;
  }
  std::size_t watch_requests() const { return watch_requests_; }
  std::size_t refused_watches() const { return refused_watches_; }

 private:
  // The changes after the request's resourceVersion, as JSON lines; waits up to 100 ms for one
  // when there is none yet (a real watch holds on for its timeoutSeconds; ending early is
  // allowed, and keeps tests fast).
  observe::HttpResponse watch(const observe::HttpRequest& request) {
    ++watch_requests_;
    auto parameter = [&](const std::string& name) {
      auto at = request.url.find(name + "=");
      if (at == std::string::npos) return std::string();
      auto end = request.url.find('&', at);
      return request.url.substr(at + name.size() + 1, end == std::string::npos
                                                          ? std::string::npos
                                                          : end - at - name.size() - 1);
    };
    std::string name = parameter("fieldSelector").substr(std::string("metadata.name%3D").size());
    long from = std::stol(parameter("resourceVersion"));
    auto until = Clock::now() + std::chrono::milliseconds(100);
    std::string body;
    while (body.empty() && Clock::now() < until) {
      {
        std::lock_guard lock(mutex_);
        // Checked on every pass: a watch in flight when the cache restarts is refused too, never
        // left to skip the changes the new cache does not have.
        if (from < cache_start_) {
          ++refused_watches_;
          return {.status = 410, .body = R"({"reason":"Expired","code":410})", .maybe_sent = true};
        }
        for (const auto& [changed, state] : changes_)
          if (changed == name && state.first > from && state.first != skipped_revision_ &&
              state.first > cache_start_)
            body +=
                nlohmann::json{{"type", "MODIFIED"}, {"object", object(changed, state)}}.dump() +
                "\n";
      }
      if (body.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return {.status = 200, .body = body, .maybe_sent = true};
  }
  bool in_black_hole(Clock::time_point now) {
    std::lock_guard lock(mutex_);
    return now >= hole_from_ && now < hole_until_;
  }
  static nlohmann::json object(const std::string& name, const std::pair<long, std::string>& state) {
    return {{"metadata", {{"name", name}, {"resourceVersion", std::to_string(state.first)}}},
            {"data", {{"value", state.second}}}};
  }

  std::mutex mutex_;
  std::map<std::string, std::pair<long, std::string>> objects_;
  std::vector<std::pair<std::string, std::pair<long, std::string>>> changes_;
  long revision_ = 100;
  long skipped_revision_ = -1;
  long cache_start_ = 0;
  std::atomic<std::size_t> watch_requests_{0}, refused_watches_{0};
  Clock::time_point hole_from_{}, hole_until_{};
};

}  // namespace zerospof::testing
