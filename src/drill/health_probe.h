// The health probes: lanes that poll one thing each a few times a second for the timeline and the
// outage measurement, beside the probes that read and write: the endpoint's TCP connect (is the
// VIP held and HAProxy listening?), the endpoint's /readyz (does it lead to a ready apiserver?),
// and each apiserver's own /readyz through a tunnel to its host (which one is down, and when it
// is back). Each lane says whether it is judged against the budget; the drill shows them all on
// the timeline and judges none (drill.cpp, health_lanes(), says why).
//
// Guarantees: OpenLoop's bounds, one stream per lane; every check bounded by the timeout.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "drill/open_loop.h"
#include "observe/http.h"

namespace zerospof::drill {

struct HealthProbeOptions {
  std::chrono::milliseconds interval{200};
  std::chrono::milliseconds timeout{1000};
};

// One lane: its name, whether it is judged, and the check (true, or false with the cause).
struct HealthLane {
  std::string name;
  bool judged = true;
  std::function<bool(std::chrono::milliseconds timeout, std::string* cause)> check;
};

// A TCP connect to address:port.
HealthLane tcp_lane(std::string name, std::string address, int port);
// GET /readyz on `server`: ready when it answers 200 "ok".
HealthLane readyz_lane(std::string name, bool judged, observe::HttpClient& http,
                       observe::ServerEndpoint server);

class HealthProbe {
 public:
  HealthProbe(std::vector<HealthLane> lanes, HealthProbeOptions options,
              std::chrono::steady_clock::time_point clock_zero);
  ~HealthProbe();

  void start();
  void stop();
  // After stop(): one record per lane, in the order given.
  std::vector<ProbeRecord> records() const;

 private:
  void check(int lane);

  const std::vector<HealthLane> lanes_;
  const HealthProbeOptions options_;
  const std::chrono::steady_clock::time_point clock_zero_;
  mutable std::mutex mutex_;
  std::vector<std::vector<Attempt>> attempts_;
  OpenLoop loop_;
};

}  // namespace zerospof::drill
