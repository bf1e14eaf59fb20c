// etcd's v3 key-value API in JSON (the gateway etcd serves on its client port beside gRPC) over
// mutual TLS: the three calls the drill's etcd probe makes on one member, get, put and
// compare-and-set of a key, and a delete to clean up; and the member's own status, which the
// drill's monitor reads for the leadership (one request, where etcdctl over SSH costs a process on
// the host).
//
// Guarantees: reads are linearizable (etcd's default; never serializable, which a member cut off
// from its leader would answer from stale data); every call is one request bounded by its
// timeout, on a fresh connection; a write's result says whether it took effect, did not, or may
// have (no answer after it may have been sent, or an error etcd gave after it may have proposed
// it: a timed-out proposal can still commit). Keys and values are sent base64-encoded as the
// gateway requires; they are never logged.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "observe/http.h"

namespace zerospof::observe {

enum class EtcdWrite {
  kWritten,       // it took effect
  kNotSwapped,    // a compare-and-set whose comparison failed: it did not take effect
  kRefused,       // a 4xx, or never sent: it did not take effect
  kIndeterminate  // no answer after it may have been sent, or a 5xx: it may have taken effect
};

// What a read saw: the value, or nullopt when the key does not exist.
using EtcdValue = std::optional<std::string>;

// What a member says of itself (maintenance/status): its own id and the leader it follows (0:
// none known).
struct EtcdSelfStatus {
  std::uint64_t member_id = 0;
  std::uint64_t leader = 0;
  std::uint64_t raft_term = 0;
};

class EtcdClient {
 public:
  EtcdClient(HttpClient& http, ServerEndpoint endpoint);

  // nullopt when no valid answer arrived (`response` says why).
  std::optional<EtcdValue> get(const std::string& key, std::chrono::milliseconds timeout,
                               HttpResponse* response = nullptr);
  EtcdWrite put(const std::string& key, const std::string& value, std::chrono::milliseconds timeout,
                HttpResponse* response = nullptr);
  // Writes `value` only if the key holds `expected` now (nullopt: only if it does not exist).
  EtcdWrite compare_and_set(const std::string& key, const EtcdValue& expected,
                            const std::string& value, std::chrono::milliseconds timeout,
                            HttpResponse* response = nullptr);
  bool remove(const std::string& key, std::chrono::milliseconds timeout);
  // nullopt when no valid answer arrived.
  std::optional<EtcdSelfStatus> status(std::chrono::milliseconds timeout);

  const ServerEndpoint& endpoint() const { return endpoint_; }

 private:
  HttpResponse call(const std::string& path, const std::string& body,
                    std::chrono::milliseconds timeout);

  HttpClient& http_;
  const ServerEndpoint endpoint_;
};

// The node of the member that says it leads, every member asked at once (each bounded by
// `timeout`); "" when the members that answered follow no leader (an election), nullopt when
// none answered, or when those that did follow a leader that did not answer. A member only says it
// leads when its own id is the leader it reports; of two that do, the one of the later raft term.
std::optional<std::string> etcd_leader_of(HttpClient& http,
                                          const std::vector<ServerEndpoint>& members,
                                          std::chrono::milliseconds timeout);

// The result of a write request from its response, whatever the call.
EtcdWrite classify_etcd_write(const HttpResponse& response);

}  // namespace zerospof::observe
