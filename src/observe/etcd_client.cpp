#include "observe/etcd_client.h"

#include <charconv>
#include <future>
#include <nlohmann/json.hpp>

#include "util/base64.h"

namespace zerospof::observe {

namespace {

using nlohmann::json;

std::optional<json> parse_object(const std::string& body) {
  json parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return std::nullopt;
  return parsed;
}

// The gateway writes etcd's 64-bit numbers as strings (JSON numbers lose their low bits).
std::uint64_t number_at(const json& object, const char* pointer) {
  const auto at = json::json_pointer(pointer);
  if (!object.contains(at)) return 0;
  const json& value = object.at(at);
  if (value.is_number_unsigned()) return value.get<std::uint64_t>();
  if (!value.is_string()) return 0;
  const std::string text = value.get<std::string>();
  std::uint64_t number = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  return error == std::errc() && end == text.data() + text.size() ? number : 0;
}

}  // namespace

EtcdWrite classify_etcd_write(const HttpResponse& response) {
  if (response.ok()) return EtcdWrite::kWritten;
  if (response.status >= 400 && response.status < 500) return EtcdWrite::kRefused;
  if (response.status == 0 && !response.maybe_sent) return EtcdWrite::kRefused;
  return EtcdWrite::kIndeterminate;
}

EtcdClient::EtcdClient(HttpClient& http, ServerEndpoint endpoint)
    : http_(http), endpoint_(std::move(endpoint)) {}

HttpResponse EtcdClient::call(const std::string& path, const std::string& body,
                              std::chrono::milliseconds timeout) {
  return http_.send({.method = "POST",
                     .url = endpoint_.url + path,
                     .body = body,
                     .timeout = timeout,
                     .unix_socket = endpoint_.unix_socket});
}

std::optional<EtcdValue> EtcdClient::get(const std::string& key, std::chrono::milliseconds timeout,
                                         HttpResponse* response) {
  HttpResponse answer =
      call("/v3/kv/range", json{{"key", util::encode_base64(key)}}.dump(), timeout);
  if (response) *response = answer;
  if (!answer.ok()) return std::nullopt;
  auto parsed = parse_object(answer.body);
  // A range answer always has its header; without one this is not etcd answering.
  if (!parsed || !parsed->contains("header")) return std::nullopt;
  auto kvs = parsed->find("kvs");
  if (kvs == parsed->end() || !kvs->is_array() || kvs->empty()) return EtcdValue{};
  const json& first = kvs->front();
  // The gateway leaves out empty fields: an empty value has no "value".
  auto decoded = util::decode_base64(first.value("value", std::string()));
  if (!decoded) return std::nullopt;
  return EtcdValue{*decoded};
}

EtcdWrite EtcdClient::put(const std::string& key, const std::string& value,
                          std::chrono::milliseconds timeout, HttpResponse* response) {
  HttpResponse answer =
      call("/v3/kv/put",
           json{{"key", util::encode_base64(key)}, {"value", util::encode_base64(value)}}.dump(),
           timeout);
  if (response) *response = answer;
  return classify_etcd_write(answer);
}

EtcdWrite EtcdClient::compare_and_set(const std::string& key, const EtcdValue& expected,
                                      const std::string& value, std::chrono::milliseconds timeout,
                                      HttpResponse* response) {
  std::string encoded_key = util::encode_base64(key);
  // A key that does not exist has create_revision 0; one that does is compared by value.
  json compare = expected ? json{{"key", encoded_key},
                                 {"result", "EQUAL"},
                                 {"target", "VALUE"},
                                 {"value", util::encode_base64(*expected)}}
                          : json{{"key", encoded_key},
                                 {"result", "EQUAL"},
                                 {"target", "CREATE"},
                                 {"create_revision", "0"}};
  json body{{"compare", json::array({compare})},
            {"success",
             json::array({json{{"request_put",
                                {{"key", encoded_key}, {"value", util::encode_base64(value)}}}}})}};
  HttpResponse answer = call("/v3/kv/txn", body.dump(), timeout);
  if (response) *response = answer;
  EtcdWrite result = classify_etcd_write(answer);
  if (result != EtcdWrite::kWritten) return result;
  auto parsed = parse_object(answer.body);
  if (!parsed || !parsed->contains("header")) return EtcdWrite::kIndeterminate;
  // The gateway leaves out false: no "succeeded" is a comparison that failed.
  return parsed->value("succeeded", false) ? EtcdWrite::kWritten : EtcdWrite::kNotSwapped;
}

std::optional<EtcdSelfStatus> EtcdClient::status(std::chrono::milliseconds timeout) {
  HttpResponse answer = call("/v3/maintenance/status", "{}", timeout);
  if (!answer.ok()) return std::nullopt;
  auto parsed = parse_object(answer.body);
  if (!parsed || number_at(*parsed, "/header/member_id") == 0) return std::nullopt;
  return EtcdSelfStatus{.member_id = number_at(*parsed, "/header/member_id"),
                        .leader = number_at(*parsed, "/leader"),
                        .raft_term = number_at(*parsed, "/raftTerm")};
}

bool EtcdClient::remove(const std::string& key, std::chrono::milliseconds timeout) {
  return call("/v3/kv/deleterange", json{{"key", util::encode_base64(key)}}.dump(), timeout).ok();
}

std::optional<std::string> etcd_leader_of(HttpClient& http,
                                          const std::vector<ServerEndpoint>& members,
                                          std::chrono::milliseconds timeout) {
  std::vector<std::future<std::optional<EtcdSelfStatus>>> asked;
  for (const ServerEndpoint& member : members)
    asked.push_back(std::async(std::launch::async, [&http, &member, timeout] {
      return EtcdClient(http, member).status(timeout);
    }));
  // Two can claim it for a moment (an old leader cut off from the others steps down only after
  // an election timeout): the claim of the later term is the true one.
  std::optional<std::string> leader;
  std::uint64_t term = 0;
  bool a_leader_is_known = false;  // some member that answered follows a leader
  for (std::size_t i = 0; i < members.size(); ++i) {
    auto status = asked[i].get();
    if (!status) continue;
    if (!leader) leader = "";
    a_leader_is_known |= status->leader != 0;
    if (status->leader == status->member_id && (leader->empty() || status->raft_term > term)) {
      leader = members[i].node;
      term = status->raft_term;
    }
  }
  // The members that answered follow a leader that did not answer in time (a starved host): not
  // known, rather than "no leader", which only members without one can say.
  if (leader && leader->empty() && a_leader_is_known) return std::nullopt;
  return leader;
}

}  // namespace zerospof::observe
