#include "observe/tcp_connect.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace zerospof::observe {

namespace {

std::string describe(int error) {
  switch (error) {
    case ECONNREFUSED:
      return "refused";
    case ETIMEDOUT:
      return "timed out";
    case EHOSTUNREACH:
    case ENETUNREACH:
      return "unreachable";
    default:
      return std::strerror(error);
  }
}

}  // namespace

TcpConnectResult tcp_connect(const std::string& address, int port,
                             std::chrono::milliseconds timeout) {
  addrinfo hints{};
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(address.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || !found)
    return {.error = "not a numeric address"};
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owned(found, freeaddrinfo);
  int fd = socket(found->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return {.error = describe(errno)};
  TcpConnectResult result;
  if (connect(fd, found->ai_addr, found->ai_addrlen) == 0) {
    result.connected = true;
  } else if (errno != EINPROGRESS) {
    result.error = describe(errno);
  } else {
    pollfd waiting{.fd = fd, .events = POLLOUT, .revents = 0};
    int ready = poll(&waiting, 1, static_cast<int>(timeout.count()));
    if (ready == 0) {
      result.error = "timed out";
    } else if (ready < 0) {
      result.error = describe(errno);
    } else {
      int error = 0;
      socklen_t size = sizeof error;
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size);
      result.connected = error == 0;
      if (error != 0) result.error = describe(error);
    }
  }
  close(fd);
  return result;
}

}  // namespace zerospof::observe
