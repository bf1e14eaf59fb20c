// A TCP port on loopback for a server a test starts (etcd, an apiserver, sshd, HAProxy), which
// must be given a number before it binds. The port is free when chosen and lies below the
// kernel's ephemeral range (net.ipv4.ip_local_port_range), so no outgoing connection anywhere on
// the machine can be given it before the server binds it: a port the kernel picked (bind to 0)
// can be, and in CI one was, taken by another test's connection in that window ("address
// already in use"). Two tests choosing the same port in the same second remain possible, at
// odds of about one in sixteen thousand; servers that can retry still do.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <random>

namespace zerospof::testing {

namespace loopback_port_detail {

inline bool bindable(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return bound;
}

// The first port of the kernel's ephemeral range (Linux's default when unreadable).
inline int ephemeral_low() {
  int low = 32768;
  std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> low;
  return low;
}

}  // namespace loopback_port_detail

inline int unclaimed_loopback_port() {
  using namespace loopback_port_detail;
  const int high = std::max(ephemeral_low() - 1, 2048);
  const int low = std::max(1024, high - 16383);
  static std::mt19937 random(std::random_device{}() ^ static_cast<unsigned>(::getpid()));
  std::uniform_int_distribution<int> pick(low, high);
  for (int attempt = 0; attempt < 256; ++attempt)
    if (int port = pick(random); bindable(port)) return port;
  return 0;  // the range is full: the server's own bind then fails and says so
}

}  // namespace zerospof::testing
