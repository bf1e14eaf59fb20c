#include "drill/health_probe.h"

#include "observe/tcp_connect.h"

namespace zerospof::drill {

HealthLane tcp_lane(std::string name, std::string address, int port) {
  return {.name = std::move(name),
          .judged = true,
          .check = [address = std::move(address), port](std::chrono::milliseconds timeout,
                                                        std::string* cause) {
            observe::TcpConnectResult result = observe::tcp_connect(address, port, timeout);
            *cause = result.connected ? "" : "TCP connect " + result.error;
            return result.connected;
          }};
}

HealthLane readyz_lane(std::string name, bool judged, observe::HttpClient& http,
                       observe::ServerEndpoint server) {
  return {
      .name = std::move(name),
      .judged = judged,
      .check = [&http, server = std::move(server)](std::chrono::milliseconds timeout,
                                                   std::string* cause) {
        observe::HttpResponse response = http.send(
            {.url = server.url + "/readyz", .timeout = timeout, .unix_socket = server.unix_socket});
        bool ready = response.ok() && response.body == "ok";
        *cause = ready ? "" : response.ok() ? "not ready" : observe::failure_cause(response);
        return ready;
      }};
}

HealthProbe::HealthProbe(std::vector<HealthLane> lanes, HealthProbeOptions options,
                         std::chrono::steady_clock::time_point clock_zero)
    : lanes_(std::move(lanes)),
      options_(options),
      clock_zero_(clock_zero),
      attempts_(lanes_.size()),
      loop_({.streams = static_cast<int>(lanes_.size()),
             .interval = options_.interval,
             .longest_operation = options_.timeout},
            [this](int lane, int) { check(lane); }) {}

HealthProbe::~HealthProbe() { stop(); }

void HealthProbe::start() {
  if (!lanes_.empty()) loop_.start();
}

void HealthProbe::stop() { loop_.stop(); }

void HealthProbe::check(int lane) {
  auto now_ms = [this] {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - clock_zero_)
        .count();
  };
  std::string cause;
  double start = now_ms();
  bool ok = lanes_[static_cast<std::size_t>(lane)].check(options_.timeout, &cause);
  double end = now_ms();
  std::lock_guard lock(mutex_);
  attempts_[static_cast<std::size_t>(lane)].push_back(
      {lane, start, end, ok ? AttemptOutcome::kOk : AttemptOutcome::kFailed, cause});
}

std::vector<ProbeRecord> HealthProbe::records() const {
  std::lock_guard lock(mutex_);
  std::vector<ProbeRecord> out;
  for (std::size_t lane = 0; lane < lanes_.size(); ++lane) {
    out.push_back(record_of(lanes_[lane].name, attempts_[lane]));
    out.back().judged = lanes_[lane].judged;
  }
  return out;
}

}  // namespace zerospof::drill
