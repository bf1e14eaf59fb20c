// What a probe's fresh connection costs the drill's own CPU with and without a resumed TLS
// session: observe::CurlHttpClient against a real TLS server on loopback (openssl s_server,
// client certificates required, EC P-256 keys as the cluster's PKI has), one GET per iteration,
// every connection fresh. BM_FullHandshake sends each request from a client of its own
// (a full handshake: the server's chain parsed and verified); BM_ResumedSession sends every request
// from one client, which resumes the session of the one before. The clients' construction
// (parsing the credentials) is outside the timing. CPU time is this process's: the server's
// work is not counted, the drill's is. Run: scripts/bench-tls-sessions.sh
#include <benchmark/benchmark.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "observe/http.h"
#include "support/loopback_tls_server.h"

namespace zerospof {
namespace {

testing::LoopbackTlsServer& server() {
  static testing::LoopbackTlsServer instance;
  return instance;
}

observe::HttpRequest request() {
  return {.url = server().url(), .timeout = std::chrono::milliseconds(2000)};
}

// Until s_server listens (bounded: 5 s); then the one answer it must give.
void wait_until_answered(observe::CurlHttpClient& client) {
  for (int i = 0; i < 50; ++i) {
    if (client.send(request()).status == 200) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw std::runtime_error("openssl s_server did not answer");
}

void expect_answer(benchmark::State& state, const observe::HttpResponse& response,
                   const char* session) {
  if (response.status != 200) state.SkipWithError(response.error.c_str());
  if (response.body.find(session) == std::string::npos)
    state.SkipWithError(("the server did not say " + std::string(session)).c_str());
}

void BM_FullHandshake(benchmark::State& state) {
  observe::CurlHttpClient warm(server().credentials());
  wait_until_answered(warm);
  for (auto _ : state) {
    state.PauseTiming();
    auto client = std::make_unique<observe::CurlHttpClient>(server().credentials());
    state.ResumeTiming();
    expect_answer(state, client->send(request()), "New, TLS");
    state.PauseTiming();
    client.reset();
    state.ResumeTiming();
  }
}
BENCHMARK(BM_FullHandshake)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_ResumedSession(benchmark::State& state) {
  observe::CurlHttpClient client(server().credentials());
  wait_until_answered(client);
  for (auto _ : state) expect_answer(state, client.send(request()), "Reused, TLS");
}
BENCHMARK(BM_ResumedSession)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace
}  // namespace zerospof

BENCHMARK_MAIN();
