// A real HTTP/1.1 server on 127.0.0.1 (a port the kernel picks) for tests of code that downloads:
// it serves made-up files by path, each with the Content-Length it declares, so a test can send
// a body shorter than announced and close (a truncated download) as a failing network would.
// One connection at a time, `Connection: close`; every wait is bounded (accept polls every
// 100 ms, a client has 5 s to send its request); stopped and joined by the destructor.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace zerospof::testing {

class LoopbackHttpServer {
 public:
  struct File {
    std::string body;
    long declared_length = -1;  // -1: the body's own length; more: the connection ends early
  };

  LoopbackHttpServer() {
    socket_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    if (socket_ < 0 || ::bind(socket_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::listen(socket_, 16) != 0 ||
        ::getsockname(socket_, reinterpret_cast<sockaddr*>(&address), &length) != 0)
      throw std::runtime_error("cannot listen on 127.0.0.1");
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~LoopbackHttpServer() {
    stop_ = true;
    thread_.join();
    ::close(socket_);
  }
  LoopbackHttpServer(const LoopbackHttpServer&) = delete;
  LoopbackHttpServer& operator=(const LoopbackHttpServer&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  void put(const std::string& path, File file) {
    std::lock_guard lock(mutex_);
    files_[path] = std::move(file);
  }
  std::vector<std::string> requested() const {
    std::lock_guard lock(mutex_);
    return requested_;
  }

 private:
  void serve() {
    while (!stop_) {
      pollfd ready{socket_, POLLIN, 0};
      if (::poll(&ready, 1, 100) <= 0) continue;
      int client = ::accept4(socket_, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) continue;
      answer(client);
      ::close(client);
    }
  }

  void answer(int client) {
    std::string request;
    char buffer[4096];
    while (request.find("\r\n\r\n") == std::string::npos && request.size() < 65536) {
      pollfd readable{client, POLLIN, 0};
      if (::poll(&readable, 1, 5000) <= 0) return;
      ssize_t got = ::recv(client, buffer, sizeof(buffer), 0);
      if (got <= 0) return;
      request.append(buffer, static_cast<std::size_t>(got));
    }
    std::size_t start = request.find(' ') + 1;
    std::string path = request.substr(start, request.find(' ', start) - start);
    File file;
    bool found = false;
    {
      std::lock_guard lock(mutex_);
      requested_.push_back(path);
      if (auto entry = files_.find(path); entry != files_.end()) {
        file = entry->second;
        found = true;
      }
    }
    std::string response;
    if (!found) {
      response = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    } else {
      long length =
          file.declared_length >= 0 ? file.declared_length : static_cast<long>(file.body.size());
      response = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(length) +
                 "\r\nConnection: close\r\n\r\n" + file.body;
    }
    for (std::size_t sent = 0; sent < response.size();) {
      ssize_t wrote = ::send(client, response.data() + sent, response.size() - sent, MSG_NOSIGNAL);
      if (wrote <= 0) return;
      sent += static_cast<std::size_t>(wrote);
    }
  }

  int socket_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mutex_;
  std::map<std::string, File> files_;
  std::vector<std::string> requested_;
};

}  // namespace zerospof::testing
