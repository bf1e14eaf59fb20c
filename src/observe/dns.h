// A DNS client of the cluster's own DNS (CoreDNS behind the kube-dns Service) over TCP, through a
// Unix socket that a transport's tunnel leads to the Service's address on a node: how the drill
// asks the question every pod asks ("where is this Service?") without being a pod. One A query
// per connection, as a fresh resolver would.
//
// Guarantees: the query names one host name (checked: DNS labels of at most 63 bytes, 253 in all);
// the answer is parsed defensively (names are skipped, never followed through compression
// pointers; every length is checked against what arrived, so any bytes give an answer or an
// error, never a crash); the whole
// exchange returns within the timeout; the error says what happened in a few stable words.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/address.h"
#include "util/error.h"

namespace zerospof::observe {

struct DnsAnswer {
  int response_code = 0;                    // 0 NOERROR, 3 NXDOMAIN, ...
  std::vector<model::IpAddress> addresses;  // the A records of the answer section
};

// The query for the A records of `name` with message id `id`, as DNS over TCP sends it: the
// message preceded by its length in two bytes. An error for a name that is not a host name.
util::Result<std::string> dns_query_over_tcp(std::uint16_t id, std::string_view name);

// The answer to query `id` in `message` (without the TCP length prefix); an error when it is not
// one (another id, not a response, truncated, malformed).
util::Result<DnsAnswer> parse_dns_response(std::string_view message, std::uint16_t id);

// Connects to the Unix socket `unix_socket`, sends the A query for `name` over it and reads the
// answer; "timed out", "refused", "closed" or a parse error when none came.
util::Result<DnsAnswer> resolve_through(const std::string& unix_socket, std::string_view name,
                                        std::chrono::milliseconds timeout);

// "NOERROR", "NXDOMAIN", "SERVFAIL", ... ("RCODE 11" for the rest).
std::string dns_response_code_name(int code);

}  // namespace zerospof::observe
