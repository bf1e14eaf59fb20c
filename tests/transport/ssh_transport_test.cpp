// SshTransport against a real OpenSSH server on 127.0.0.1 (LocalSshd): commands, atomic file
// writes, reads, timeouts, host key verification, tunnels and the cleanup of master connections.
#include "transport/ssh_transport.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>
#include <vector>

#include "transport/local_sshd.h"

namespace zerospof::transport {
namespace {

using zerospof::testing::LocalSshd;

class SshTransportTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(sshd_.ready()) << sshd_.log(); }

  std::unique_ptr<SshTransport> connect(const std::string& known_hosts) {
    SshTarget target{.address = "127.0.0.1",
                     .user = sshd_.user(),
                     .port = sshd_.port(),
                     .identity_file = sshd_.client_key()};
    auto transport = SshTransport::create(
        {{"node1", target}},
        {.known_hosts = known_hosts, .connect_timeout = std::chrono::seconds(5)});
    EXPECT_TRUE(transport.has_value());
    return transport ? std::move(*transport) : nullptr;
  }

  std::string path(const std::string& name) const { return sshd_.dir() + "/" + name; }

  LocalSshd sshd_;
};

TEST_F(SshTransportTest, RunsACommandAndReturnsItsOutputAndExitStatus) {
  // Given a reachable host, a command's stdout, stderr and exit status come back as they were.
  auto transport = connect(sshd_.known_hosts());
  auto result = transport->run("node1", {.script = "echo out; echo err >&2; exit 3"});
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->out, "out\n");
  EXPECT_EQ(result->err, "err\n");
  EXPECT_EQ(result->exit_code, 3);
}

TEST_F(SshTransportTest, ArgvIsQuotedSoTheShellExpandsNothing) {
  auto transport = connect(sshd_.known_hosts());
  auto result = transport->run("node1", Command::argv({"printf", "%s|", "a b", "$HOME", "it's"}));
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->out, "a b|$HOME|it's|");
}

TEST_F(SshTransportTest, InputReachesTheCommandByteForByte) {
  std::string binary("\0\x01\xff line\n", 9);
  auto transport = connect(sshd_.known_hosts());
  auto result = transport->run("node1", {.script = "od -An -tx1 | tr -d ' \\n'", .input = binary});
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->out, "0001ff206c696e650a");
}

TEST_F(SshTransportTest, PutFileWritesContentAndModeAndCreatesDirectories) {
  auto transport = connect(sshd_.known_hosts());
  std::string target = path("new/dir/secret.key");
  ASSERT_TRUE(transport->put_file("node1", {.path = target, .content = "key\n", .mode = 0600}));
  EXPECT_EQ(util::read_file(target).value_or(""), "key\n");
  auto status = std::filesystem::status(target);
  EXPECT_EQ(status.permissions(),
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  // No temporary file is left beside the target.
  int entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(path("new/dir"))) {
    ++entries;
  }
  EXPECT_EQ(entries, 1);
}

TEST_F(SshTransportTest, PutFileReplacesAnExistingFileWhole) {
  auto transport = connect(sshd_.known_hosts());
  std::string target = path("config");
  ASSERT_TRUE(transport->put_file("node1", {.path = target, .content = "old old old\n"}));
  ASSERT_TRUE(transport->put_file("node1", {.path = target, .content = "new\n"}));
  EXPECT_EQ(util::read_file(target).value_or(""), "new\n");
}

TEST_F(SshTransportTest, AnUploadCutShortNeverReplacesTheFile) {
  // The script put_file runs, through the real ssh path, fed the first 1000 of 4055 bytes (what
  // a killed apply or a dropped link delivers): the good file stays, and the command fails.
  auto transport = connect(sshd_.known_hosts());
  std::string target = path("kubelet.conf");
  std::string good(4055, 'g');
  ASSERT_TRUE(transport->put_file("node1", {.path = target, .content = good}));
  std::string next(4055, 'n');
  auto result =
      transport->run("node1", {.script = atomic_write_script({.path = target, .content = next}),
                               .input = next.substr(0, 1000)});
  ASSERT_TRUE(result.has_value());
  EXPECT_NE(result->exit_code, 0);
  EXPECT_NE(result->err.find("1000 of 4055 bytes"), std::string::npos) << result->err;
  EXPECT_TRUE(util::read_file(target).value_or("") == good);
  int entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(sshd_.dir())) {
    if (entry.path().filename().string().rfind(".zerospof-put", 0) == 0) ++entries;
  }
  EXPECT_EQ(entries, 0);
}

TEST_F(SshTransportTest, AKnownHostsPathWithASpaceIsThatOneFile) {
  // ssh splits UserKnownHostsFile on spaces into several files: unquoted, this host would be
  // reported as an unknown or changed key.
  std::filesystem::create_directories(path("with space"));
  std::filesystem::copy_file(sshd_.known_hosts(), path("with space/known hosts"));
  auto transport = connect(path("with space/known hosts"));
  auto result = transport->run("node1", {.script = "echo reached"});
  ASSERT_TRUE(result.has_value()) << util::format_error(result.error());
  EXPECT_EQ(result->out, "reached\n");
}

TEST_F(SshTransportTest, ALongTemporaryDirectoryDoesNotMakeHostsUnreachable) {
  // A Unix socket path holds at most 107 bytes; the control socket must not inherit TMPDIR's
  // length (nor its spaces).
  std::string long_directory = path(std::string(90, 'd') + " x");
  std::filesystem::create_directories(long_directory);
  const char* before = std::getenv("TMPDIR");
  std::string saved = before ? before : "";
  ::setenv("TMPDIR", long_directory.c_str(), 1);
  auto transport = connect(sshd_.known_hosts());
  before ? ::setenv("TMPDIR", saved.c_str(), 1) : ::unsetenv("TMPDIR");
  ASSERT_NE(transport, nullptr);
  auto result = transport->run("node1", {.script = "echo reached"});
  ASSERT_TRUE(result.has_value()) << util::format_error(result.error());
  EXPECT_EQ(result->out, "reached\n");
}

TEST_F(SshTransportTest, GetFileReadsContentAndTellsAbsentFromEmpty) {
  auto transport = connect(sshd_.known_hosts());
  ASSERT_TRUE(transport->put_file("node1", {.path = path("empty"), .content = ""}));
  ASSERT_TRUE(transport->put_file("node1", {.path = path("full"), .content = "a\nb"}));
  EXPECT_EQ(transport->get_file("node1", path("full")).value(), std::optional<std::string>("a\nb"));
  EXPECT_EQ(transport->get_file("node1", path("empty")).value(), std::optional<std::string>(""));
  EXPECT_EQ(transport->get_file("node1", path("absent")).value(), std::nullopt);
}

TEST_F(SshTransportTest, ACommandThatOutlivesItsTimeoutIsKilled) {
  auto transport = connect(sshd_.known_hosts());
  auto start = std::chrono::steady_clock::now();
  auto result =
      transport->run("node1", {.script = "sleep 30", .timeout = std::chrono::milliseconds(1500)});
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(result->timed_out);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST_F(SshTransportTest, AHostWithAnotherHostKeyIsRefused) {
  // Given a known_hosts that pins a different key for this address (a man in the middle, or a
  // reinstalled host), nothing runs and the error says why.
  auto transport = connect(sshd_.wrong_known_hosts());
  auto result = transport->run("node1", {.script = "touch " + path("ran")});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, util::ErrorCode::kFailedPrecondition);
  EXPECT_NE(result.error().message.find("host key"), std::string::npos) << result.error().message;
  EXPECT_FALSE(std::filesystem::exists(path("ran")));
}

TEST_F(SshTransportTest, AHostMissingFromKnownHostsIsRefused) {
  std::string empty = path("empty_known_hosts");
  std::ofstream(empty).flush();
  auto transport = connect(empty);
  auto result = transport->run("node1", {.script = "true"});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, util::ErrorCode::kFailedPrecondition);
}

TEST_F(SshTransportTest, AnUnreachableHostIsAnUnavailableError) {
  SshTarget target{
      .address = "127.0.0.1", .user = sshd_.user(), .port = 1, .identity_file = sshd_.client_key()};
  auto transport = SshTransport::create({{"node1", target}}, {.known_hosts = sshd_.known_hosts()});
  ASSERT_TRUE(transport.has_value());
  auto result = (*transport)->run("node1", {.script = "true"});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, util::ErrorCode::kUnavailable);
  EXPECT_NE(result.error().message.find("node1"), std::string::npos);
}

TEST_F(SshTransportTest, CommandsShareOneMasterConnectionClosedOnDestruction) {
  auto transport = connect(sshd_.known_hosts());
  ASSERT_TRUE(transport->run("node1", {.script = "true"}));
  auto argv = transport->ssh_argv("node1").value();
  argv.insert(argv.end() - 1, {"-O", "check"});
  // The master backgrounds itself after the first command; on a loaded machine its socket may
  // answer a moment later (bounded: at most 5 s).
  auto check = util::run(argv);
  for (int i = 0; i < 50 && check && check->exit_code != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    check = util::run(argv);
  }
  ASSERT_TRUE(check.has_value());
  EXPECT_EQ(check->exit_code, 0) << check->err;  // a master is running
  transport.reset();
  auto after = util::run(argv);
  ASSERT_TRUE(after.has_value());
  EXPECT_NE(after->exit_code, 0);  // closed, and its control directory removed
}

// Commands on a connected host run side by side: each of four waits (10 s at most) until all four
// have started, so commands run one after the other would time out instead. The transport's lock
// was once held for a whole command, and a drill's monitor, status and faults queued behind it.
TEST_F(SshTransportTest, CommandsOnAConnectedHostRunSideBySide) {
  auto transport = connect(sshd_.known_hosts());
  ASSERT_TRUE(transport->run("node1", {.script = "true"}));  // the master, opened once
  const std::string started = path("started");
  std::filesystem::create_directories(started);
  constexpr int kCommands = 4;
  std::vector<std::thread> threads;
  std::vector<util::Result<CommandResult>> results(kCommands);
  for (int i = 0; i < kCommands; ++i)
    threads.emplace_back([&, i] {
      results[i] = transport->run(
          "node1", {.script = fmt::format("touch {0}/{1}; for k in $(seq 100); do "
                                          "[ $(ls {0} | wc -l) -ge {2} ] && exit 0; sleep 0.1; "
                                          "done; exit 1",
                                          started, i, kCommands),
                    .timeout = std::chrono::seconds(30)});
    });
  for (auto& thread : threads) thread.join();
  for (int i = 0; i < kCommands; ++i) {
    ASSERT_TRUE(results[i].has_value()) << results[i].error().message;
    EXPECT_EQ(results[i]->exit_code, 0) << "command " << i << " never saw the others start";
  }
}

// A TCP server on the host's loopback that answers one connection with `greeting`; its port.
class LoopbackGreeter {
 public:
  // `loopback`: the address it listens on, 127.0.0.1 unless given.
  explicit LoopbackGreeter(std::string greeting, std::uint32_t loopback = INADDR_LOOPBACK)
      : greeting_(std::move(greeting)) {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{.sin_family = AF_INET, .sin_port = 0, .sin_addr = {htonl(loopback)}};
    bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t size = sizeof address;
    getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &size);
    port_ = ntohs(address.sin_port);
    listen(listener_, 4);
    server_ = std::thread([this] {
      int connection = accept(listener_, nullptr, nullptr);
      if (connection < 0) return;
      (void)!write(connection, greeting_.data(), greeting_.size());
      close(connection);
    });
  }
  ~LoopbackGreeter() {
    shutdown(listener_, SHUT_RDWR);  // ends an accept() that got no connection
    server_.join();
    close(listener_);
  }
  int port() const { return port_; }

 private:
  std::string greeting_;
  int listener_ = -1;
  int port_ = 0;
  std::thread server_;
};

// What a connection to the Unix socket `path` reads until the other end closes; nullopt when it
// cannot connect.
std::optional<std::string> read_through(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{.sun_family = AF_UNIX, .sun_path = {}};
  path.copy(address.sun_path, sizeof address.sun_path - 1);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return std::nullopt;
  }
  timeval timeout{.tv_sec = 5, .tv_usec = 0};  // bounded: a tunnel that hangs fails the test
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  std::string out;
  char buffer[256];
  for (ssize_t n; (n = read(fd, buffer, sizeof buffer)) > 0;) out.append(buffer, n);
  close(fd);
  return out;
}

TEST_F(SshTransportTest, ATunnelReachesAPortOnTheHostsLoopbackAndEndsWithTheTransport) {
  LoopbackGreeter greeter("hello through the tunnel");
  auto transport = connect(sshd_.known_hosts());
  auto socket_path = transport->tunnel_to_loopback("node1", greeter.port());
  ASSERT_TRUE(socket_path.has_value()) << socket_path.error().message;
  // Only this user can reach it: it sits in the 0700 control directory.
  auto directory = std::filesystem::status(std::filesystem::path(*socket_path).parent_path());
  EXPECT_EQ(directory.permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_all);
  EXPECT_EQ(read_through(*socket_path), "hello through the tunnel");
  // The same host and port: the same tunnel.
  auto again = transport->tunnel_to_loopback("node1", greeter.port());
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_EQ(*again, *socket_path);
  transport.reset();
  EXPECT_EQ(read_through(*socket_path), std::nullopt);
}

// A tunnel to an address other than the host's 127.0.0.1 (the drill's way to a Service's cluster
// IP, which only the nodes route): here 127.0.0.2, where only the greeter listens, so the bytes
// prove the forward went to the address asked for and not to 127.0.0.1.
TEST_F(SshTransportTest, ATunnelReachesTheAddressItNames) {
  LoopbackGreeter greeter("hello from 127.0.0.2", INADDR_LOOPBACK + 1);
  auto transport = connect(sshd_.known_hosts());
  auto socket_path =
      transport->tunnel("node1", *model::IpAddress::parse("127.0.0.2"), greeter.port());
  ASSERT_TRUE(socket_path.has_value()) << socket_path.error().message;
  EXPECT_EQ(read_through(*socket_path), "hello from 127.0.0.2");
  // The same port on 127.0.0.1 is another tunnel, and nobody listens there.
  auto loopback = transport->tunnel_to_loopback("node1", greeter.port());
  ASSERT_TRUE(loopback.has_value()) << loopback.error().message;
  EXPECT_NE(*loopback, *socket_path);
  EXPECT_EQ(read_through(*loopback).value_or(""), "");
}

TEST_F(SshTransportTest, ATunnelToAPortNobodyListensOnFailsAtConnect) {
  int port = 0;
  {
    LoopbackGreeter closed("");  // a port that was free a moment ago, now closed again
    port = closed.port();
  }
  auto transport = connect(sshd_.known_hosts());
  auto socket_path = transport->tunnel_to_loopback("node1", port);
  ASSERT_TRUE(socket_path.has_value()) << socket_path.error().message;
  // The forward is in place; the connection through it ends with nothing read.
  EXPECT_EQ(read_through(*socket_path).value_or(""), "");
  EXPECT_FALSE(transport->tunnel_to_loopback("node1", 0).has_value());
}

TEST_F(SshTransportTest, OptionsNeverWeakenHostKeyChecking) {
  auto transport = connect(sshd_.known_hosts());
  auto argv = transport->ssh_argv("node1").value();
  std::string joined;
  for (const auto& word : argv) joined += word + " ";
  EXPECT_NE(joined.find("StrictHostKeyChecking=yes"), std::string::npos);
  EXPECT_NE(joined.find("BatchMode=yes"), std::string::npos);
  EXPECT_NE(joined.find("ControlMaster=auto"), std::string::npos);
  EXPECT_NE(joined.find("ControlPersist=60"), std::string::npos);
  EXPECT_EQ(joined.find("StrictHostKeyChecking=no"), std::string::npos);
}

}  // namespace
}  // namespace zerospof::transport
