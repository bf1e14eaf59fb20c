// UnixDnsServer: a DNS-over-TCP server of a test on a Unix socket (where a transport's tunnel to
// a cluster's DNS would lead), answering each connection as the test says; and the bytes of a
// DNS answer to a given query. For tests of the DNS client and of the drill's dns lane.
#pragma once

#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace zerospof::testing {

// The answer to `query` (a DNS message without its TCP length prefix): the question echoed, and
// one A record per address, its name a compression pointer to the question.
inline std::string dns_answer_to(std::string_view query,
                                 const std::vector<std::array<unsigned char, 4>>& addresses,
                                 int response_code = 0) {
  std::string message(query);
  if (message.size() < 12) return message;
  message[2] = static_cast<char>(0x81);  // response, recursion desired
  message[3] = static_cast<char>(0x80 | response_code);
  message[6] = 0;
  message[7] = static_cast<char>(addresses.size());
  for (const auto& address : addresses) {
    message += std::string("\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x05\x00\x04", 12);
    message.append(reinterpret_cast<const char*>(address.data()), 4);
  }
  return message;
}

// `message` preceded by its length, as DNS over TCP sends it.
inline void send_framed(int connection, const std::string& message) {
  std::string framed{static_cast<char>(message.size() >> 8), static_cast<char>(message.size())};
  framed += message;
  (void)!write(connection, framed.data(), framed.size());
}

class UnixDnsServer {
 public:
  // `respond(connection, query)`: the query without its length prefix.
  using Respond = std::function<void(int connection, const std::string& query)>;
  explicit UnixDnsServer(Respond respond) : respond_(std::move(respond)) {
    path_ = (std::filesystem::temp_directory_path() /
             fmt::format("zerospof-dns-test-{}-{}.sock", getpid(), ++servers_made_))
                .string();
    std::filesystem::remove(path_);
    listener_ = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{.sun_family = AF_UNIX, .sun_path = {}};
    path_.copy(address.sun_path, sizeof address.sun_path - 1);
    bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    listen(listener_, 16);
    server_ = std::thread([this] {
      for (;;) {
        int connection = accept(listener_, nullptr, nullptr);
        if (connection < 0) return;  // shut down
        char buffer[512];
        ssize_t n = read(connection, buffer, sizeof buffer);
        respond_(connection, n > 2 ? std::string(buffer + 2, static_cast<std::size_t>(n - 2)) : "");
        close(connection);
      }
    });
  }
  ~UnixDnsServer() {
    shutdown(listener_, SHUT_RDWR);  // ends the accept()
    server_.join();
    close(listener_);
    std::filesystem::remove(path_);
  }
  const std::string& path() const { return path_; }

 private:
  static inline int servers_made_ = 0;
  Respond respond_;
  std::string path_;
  int listener_ = -1;
  std::thread server_;
};

}  // namespace zerospof::testing
