// How to read HAProxy's view of its backends on a node: one shell command that prints the stats
// page as CSV (127.0.0.1 only, bounded by a timeout: 1 s unless given). The VIP fitness scripts
// render runs and the live status zerospof reads (observe/host_state.h) ask it the same way.
#pragma once

#include <chrono>
#include <string>

#include "model/tuning.h"

namespace zerospof::render {

std::string haproxy_stats_csv_command(
    std::chrono::milliseconds timeout = std::chrono::milliseconds(1000));

// How long the fast tuning's VIP fitness loop waits for the stats page: two of HAProxy's check
// intervals, within 0.3-1 s. A frozen HAProxy (SIGSTOPped, or wedged: the kernel still accepts
// the connection, nothing answers) is found only by this timeout, twice on the holder, so it is
// most of what a frozen HAProxy costs the API; a shorter one would read a starved host's slow
// answer as a dead HAProxy and move the VIP for nothing.
std::chrono::milliseconds fitness_stats_timeout(const model::Tuning& tuning);

}  // namespace zerospof::render
