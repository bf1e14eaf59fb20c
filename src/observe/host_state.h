// What one host says of itself, in one bounded SSH round trip: the state of every systemd unit
// zerospof may run there, whether it holds the API VIP, its HAProxy's view of the apiservers, and
// the expiry of every certificate render put below /etc/zerospof/pki and of the client
// certificate each kubeconfig it wrote embeds. The script and its parser
// are apart, so every parser is tested on canned text (tests/observe/host_state_test.cpp).
//
// Guarantees: a host that does not answer within the timeout is reported unreachable, never
// waited for; what the host printed is parsed leniently (a section it could not fill is empty,
// never an error), and nothing read from a host is ever a key: certificates' dates only.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "model/cluster.h"
#include "transport/transport.h"

namespace zerospof::observe {

struct UnitState {
  std::string unit;           // e.g. zerospof-etcd.service
  std::string active;         // systemd's ActiveState: active, inactive, failed, activating, ...
  bool enabled = false;       // UnitFileState enabled: apply started it, so it must run
  std::int64_t restarts = 0;  // NRestarts: how often systemd restarted it since it was started
};

struct BackendState {
  std::string server;  // the HAProxy server name: the node of that apiserver
  std::string status;  // UP, DOWN, MAINT, "UP 1/2" (going down), ...
  std::string check;   // last check: L7OK, L4CON (refused), L4TOUT (no answer), ...
};

struct CertificateExpiry {
  std::string path;
  std::int64_t not_after = 0;  // seconds since the epoch
};

struct HostState {
  std::string node;
  bool reachable = false;
  std::string error;  // why it is not reachable
  std::vector<UnitState> units;
  bool holds_vip = false;
  bool haproxy_answered = false;
  std::vector<BackendState> backends;  // the kube-apiservers backend, one per server
  std::vector<CertificateExpiry> certificates;
};

// The units status asks about: every unit render may write or configure.
const std::vector<std::string>& observed_units();

// A shell test that succeeds on a host whose interfaces hold `vip` (status and the drill's
// monitor ask it the same way).
std::string holds_vip_script(const std::string& vip);

// The script run on a host; `vip` empty when the plan has none.
std::string host_state_script(const std::string& vip);

// What the script printed, parsed. `reachable` is set; the caller names the node.
HostState parse_host_state(const std::string& printed);

// How many hosts observe_hosts asks at once.
inline constexpr std::size_t kHostsAtOnce = 32;

// Every node, kHostsAtOnce at a time, each bounded by `timeout`; in the plan's order.
std::vector<HostState> observe_hosts(const model::Cluster& cluster, transport::Transport& transport,
                                     std::chrono::milliseconds timeout);

}  // namespace zerospof::observe
