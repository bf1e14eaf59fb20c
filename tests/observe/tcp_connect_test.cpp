// tcp_connect against sockets of this test on 127.0.0.1: a listener accepts, a closed port
// refuses, and an address that is not numeric is never looked up.
#include "observe/tcp_connect.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace zerospof::observe {
namespace {

// A listening socket on 127.0.0.1 and a free port; the port of the listener.
int listen_on_loopback(int* listener) {
  *listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{.sin_family = AF_INET, .sin_port = 0, .sin_addr = {htonl(INADDR_LOOPBACK)}};
  bind(*listener, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t size = sizeof address;
  getsockname(*listener, reinterpret_cast<sockaddr*>(&address), &size);
  listen(*listener, 4);
  return ntohs(address.sin_port);
}

TEST(TcpConnectTest, AListenerAcceptsAndAClosedPortRefuses) {
  int listener = -1;
  int port = listen_on_loopback(&listener);
  auto connected = tcp_connect("127.0.0.1", port, std::chrono::milliseconds(500));
  EXPECT_TRUE(connected.connected) << connected.error;
  EXPECT_EQ(connected.error, "");
  close(listener);
  auto refused = tcp_connect("127.0.0.1", port, std::chrono::milliseconds(500));
  EXPECT_FALSE(refused.connected);
  EXPECT_EQ(refused.error, "refused");
}

TEST(TcpConnectTest, ANameIsNeverLookedUp) {
  auto result = tcp_connect("localhost", 1, std::chrono::milliseconds(100));
  EXPECT_FALSE(result.connected);
  EXPECT_EQ(result.error, "not a numeric address");
}

}  // namespace
}  // namespace zerospof::observe
