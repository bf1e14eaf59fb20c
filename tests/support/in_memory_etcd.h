// InMemoryEtcd: a test double of etcd's JSON gateway (/v3/kv/range, put, txn, deleterange) as an
// HttpClient, one linearizable key space behind every member, where a member can be made a black
// hole for a while (a request to it gets no answer until its timeout, as one to a crashed host).
// Members are told apart by the request's Unix socket (the tunnel each one is reached through).
// Used where the real etcd cannot serve the test: timing the probe's failover to the millisecond.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>

#include "observe/http.h"
#include "util/base64.h"

namespace zerospof::testing {

class InMemoryEtcd : public observe::HttpClient {
 public:
  using Clock = std::chrono::steady_clock;

  observe::HttpResponse send(const observe::HttpRequest& request) override {
    if (silent(request.unix_socket)) {
      std::this_thread::sleep_for(request.timeout);
      return {.status = 0, .maybe_sent = true, .error = "Timeout was reached"};
    }
    std::lock_guard lock(mutex_);
    ++requests_[request.unix_socket];
    auto body = nlohmann::json::parse(request.body);
    nlohmann::json answer{{"header", {{"revision", std::to_string(revision_)}}}};
    std::string path = request.url.substr(request.url.find("/v3/"));
    if (path == "/v3/kv/range") {
      auto found = data_.find(decode(body["key"]));
      if (found != data_.end())
        answer["kvs"] = nlohmann::json::array(
            {{{"key", body["key"]}, {"value", util::encode_base64(found->second)}}});
    } else if (path == "/v3/kv/put") {
      data_[decode(body["key"])] = decode(body["value"]);
      ++revision_;
    } else if (path == "/v3/kv/txn") {
      const auto& compare = body["compare"][0];
      std::string key = decode(compare["key"]);
      bool holds = compare["target"] == "CREATE"
                       ? data_.count(key) == 0
                       : data_.count(key) && data_[key] == decode(compare["value"]);
      if (holds) {
        const auto& put = body["success"][0]["request_put"];
        data_[decode(put["key"])] = decode(put["value"]);
        ++revision_;
        answer["succeeded"] = true;  // false is left out, as the gateway does
      }
    } else if (path == "/v3/kv/deleterange") {
      data_.erase(decode(body["key"]));
    } else if (path == "/v3/maintenance/status") {
      // Each tunnel is a member, its id given on first sight; the gateway writes ids as strings.
      answer["header"]["member_id"] = std::to_string(member_id(request.unix_socket));
      answer["leader"] = leader_.empty() ? "0" : std::to_string(member_id(leader_));
      answer["raftTerm"] = std::to_string(term_);
    } else {
      return {.status = 404, .maybe_sent = true};
    }
    return {.status = 200, .body = answer.dump(), .maybe_sent = true};
  }

  // The member behind `unix_socket` leads from now on ("" : none does).
  void lead(const std::string& unix_socket) {
    std::lock_guard lock(mutex_);
    leader_ = unix_socket;
    ++term_;
  }
  // Requests through `unix_socket` get no answer from `from` until `until`.
  void black_hole(const std::string& unix_socket, Clock::time_point from, Clock::time_point until) {
    std::lock_guard lock(mutex_);
    holes_[unix_socket] = {from, until};
  }
  std::size_t answered(const std::string& unix_socket) {
    std::lock_guard lock(mutex_);
    return requests_[unix_socket];
  }
  std::size_t keys() {
    std::lock_guard lock(mutex_);
    return data_.size();
  }

 private:
  static std::string decode(const nlohmann::json& text) {
    return util::decode_base64(text.get<std::string>()).value();
  }
  std::uint64_t member_id(const std::string& unix_socket) {
    auto [found, added] = member_ids_.try_emplace(unix_socket, member_ids_.size() + 1);
    return found->second;
  }
  bool silent(const std::string& unix_socket) {
    std::lock_guard lock(mutex_);
    auto hole = holes_.find(unix_socket);
    auto now = Clock::now();
    return hole != holes_.end() && now >= hole->second.first && now < hole->second.second;
  }

  std::mutex mutex_;
  std::map<std::string, std::string> data_;
  long revision_ = 1;
  std::map<std::string, std::pair<Clock::time_point, Clock::time_point>> holes_;
  std::map<std::string, std::size_t> requests_;
  std::map<std::string, std::uint64_t> member_ids_;
  std::string leader_;
  std::uint64_t term_ = 1;
};

}  // namespace zerospof::testing
