// How to read HAProxy's view of its backends on a node: one shell command that prints the stats
// page as CSV (127.0.0.1 only, bounded by a 1 s timeout). The VIP fitness scripts render runs and
// the live status zerospof reads (observe/host_state.h) ask it the same way.
#pragma once

#include <string>

namespace zerospof::render {

std::string haproxy_stats_csv_command();

}  // namespace zerospof::render
