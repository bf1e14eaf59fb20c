#include "observe/dns.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

namespace zerospof::observe {
namespace {

constexpr std::uint16_t kTypeA = 1;
constexpr std::uint16_t kClassInternet = 1;
constexpr int kHeaderBytes = 12;

util::Error malformed(const std::string& what) {
  return util::Error::unavailable("malformed DNS answer: " + what);
}

std::uint16_t read16(std::string_view bytes, std::size_t at) {
  return static_cast<std::uint16_t>((static_cast<unsigned char>(bytes[at]) << 8) |
                                    static_cast<unsigned char>(bytes[at + 1]));
}

void append16(std::string& out, std::uint16_t value) {
  out.push_back(static_cast<char>(value >> 8));
  out.push_back(static_cast<char>(value & 0xff));
}

// The offset just past the name that starts at `at`, following no pointer (a pointer ends the
// name in place); nullopt when the name runs past the message or a label type is unknown.
std::optional<std::size_t> skip_name(std::string_view message, std::size_t at) {
  for (int labels = 0; labels < 128; ++labels) {
    if (at >= message.size()) return std::nullopt;
    auto length = static_cast<unsigned char>(message[at]);
    if (length == 0) return at + 1;
    if ((length & 0xc0) == 0xc0)
      return at + 2 <= message.size() ? std::optional(at + 2) : std::nullopt;
    if ((length & 0xc0) != 0) return std::nullopt;
    at += 1 + length;
  }
  return std::nullopt;
}

// A file descriptor closed when it goes out of scope.
struct Descriptor {
  int fd = -1;
  ~Descriptor() {
    if (fd >= 0) close(fd);
  }
};

// Waits until `fd` is ready for `events` or `deadline` passes; false on timeout or error.
bool wait_for(int fd, short events, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd waiting{.fd = fd, .events = events, .revents = 0};
    int ready = poll(&waiting, 1, static_cast<int>(left.count()));
    if (ready > 0) return true;
    if (ready < 0 && errno != EINTR) return false;
  }
}

}  // namespace

util::Result<std::string> dns_query_over_tcp(std::uint16_t id, std::string_view name) {
  if (name.ends_with('.')) name.remove_suffix(1);
  auto invalid = [&] {
    return util::fail(util::Error::invalid_input(
        fmt::format("'{}' is not a host name to ask DNS for", name), {},
        "name a host: labels of letters, digits and '-', separated by dots"));
  };
  if (name.empty() || name.size() > 253) return invalid();
  std::string message;
  append16(message, id);
  append16(message, 0x0100);  // a standard query, recursion desired
  append16(message, 1);       // one question
  append16(message, 0);
  append16(message, 0);
  append16(message, 0);
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) dot = name.size();
    std::string_view label = name.substr(start, dot - start);
    if (label.empty() || label.size() > 63 ||
        label.find_first_not_of(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") !=
            std::string_view::npos)
      return invalid();
    message.push_back(static_cast<char>(label.size()));
    message.append(label);
    start = dot + 1;
  }
  message.push_back('\0');
  append16(message, kTypeA);
  append16(message, kClassInternet);
  std::string framed;
  append16(framed, static_cast<std::uint16_t>(message.size()));
  return framed + message;
}

util::Result<DnsAnswer> parse_dns_response(std::string_view message, std::uint16_t id) {
  if (message.size() < kHeaderBytes) return util::fail(malformed("shorter than a header"));
  if (read16(message, 0) != id) return util::fail(malformed("the answer to another query"));
  std::uint16_t flags = read16(message, 2);
  if (!(flags & 0x8000)) return util::fail(malformed("not a response"));
  if (flags & 0x0200) return util::fail(malformed("truncated"));
  DnsAnswer answer{.response_code = flags & 0x000f};
  std::uint16_t questions = read16(message, 4), answers = read16(message, 6);
  std::size_t at = kHeaderBytes;
  for (int question = 0; question < questions; ++question) {
    auto past = skip_name(message, at);
    if (!past || *past + 4 > message.size()) return util::fail(malformed("a question runs past"));
    at = *past + 4;
  }
  for (int record = 0; record < answers; ++record) {
    auto past = skip_name(message, at);
    if (!past || *past + 10 > message.size()) return util::fail(malformed("a record runs past"));
    std::uint16_t type = read16(message, *past), record_class = read16(message, *past + 2);
    std::uint16_t length = read16(message, *past + 8);
    std::size_t data = *past + 10;
    if (data + length > message.size()) return util::fail(malformed("record data runs past"));
    if (type == kTypeA && record_class == kClassInternet) {
      if (length != 4) return util::fail(malformed("an A record that is not 4 bytes"));
      model::IpAddress address;
      for (int i = 0; i < 4; ++i)
        address.bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(message[data + i]);
      answer.addresses.push_back(address);
    }
    at = data + length;
  }
  return answer;
}

util::Result<DnsAnswer> resolve_through(const std::string& unix_socket, std::string_view name,
                                        std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  thread_local std::mt19937 random{std::random_device{}()};
  auto id = static_cast<std::uint16_t>(random());
  ZEROSPOF_ASSIGN_OR_RETURN(std::string query, dns_query_over_tcp(id, name));
  Descriptor socket_fd{socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)};
  if (socket_fd.fd < 0) return util::fail(util::Error::unavailable(std::strerror(errno)));
  sockaddr_un address{.sun_family = AF_UNIX, .sun_path = {}};
  if (unix_socket.size() >= sizeof address.sun_path)
    return util::fail(util::Error::internal("the tunnel's socket path is too long"));
  unix_socket.copy(address.sun_path, sizeof address.sun_path - 1);
  if (connect(socket_fd.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 &&
      errno != EINPROGRESS)
    return util::fail(util::Error::unavailable(
        errno == ECONNREFUSED || errno == ENOENT ? "refused" : std::strerror(errno)));
  std::size_t sent = 0;
  while (sent < query.size()) {
    if (!wait_for(socket_fd.fd, POLLOUT, deadline))
      return util::fail(util::Error::unavailable("timed out"));
    ssize_t written = send(socket_fd.fd, query.data() + sent, query.size() - sent, MSG_NOSIGNAL);
    if (written < 0 && errno != EAGAIN && errno != EINTR)
      return util::fail(util::Error::unavailable("closed"));
    if (written > 0) sent += static_cast<std::size_t>(written);
  }
  // The length prefix, then that many bytes.
  std::string received;
  std::size_t wanted = 2;
  while (received.size() < wanted) {
    if (!wait_for(socket_fd.fd, POLLIN, deadline))
      return util::fail(util::Error::unavailable("timed out"));
    char buffer[4096];
    ssize_t n = recv(socket_fd.fd, buffer, sizeof buffer, 0);
    if (n == 0) return util::fail(util::Error::unavailable("closed"));
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return util::fail(util::Error::unavailable("closed"));
    }
    received.append(buffer, static_cast<std::size_t>(n));
    if (received.size() >= 2) wanted = 2 + read16(received, 0);
  }
  return parse_dns_response(std::string_view(received).substr(2, wanted - 2), id);
}

std::string dns_response_code_name(int code) {
  static const char* const kNames[] = {"NOERROR",  "FORMERR", "SERVFAIL",
                                       "NXDOMAIN", "NOTIMP",  "REFUSED"};
  if (code >= 0 && code < 6) return kNames[code];
  return fmt::format("RCODE {}", code);
}

}  // namespace zerospof::observe
