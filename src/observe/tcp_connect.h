// A bare TCP connect to an address and port, bounded by a timeout: the lowest layer of an
// endpoint's health (a VIP nobody holds, or a HAProxy that is down, refuses or drops it). The
// connection is closed at once; nothing is sent.
//
// Guarantees: numeric addresses only (IPv4 or IPv6; never a DNS lookup); returns within the
// timeout; the error says what happened in a few stable words ("refused", "timed out").
#pragma once

#include <chrono>
#include <string>

namespace zerospof::observe {

struct TcpConnectResult {
  bool connected = false;
  std::string error;  // "" when connected
};

TcpConnectResult tcp_connect(const std::string& address, int port,
                             std::chrono::milliseconds timeout);

}  // namespace zerospof::observe
