// LocalSshd: a real OpenSSH server on 127.0.0.1 for the transport tests, with its own host key,
// client key and config in a private temporary directory. It accepts only the current user with
// the generated key. Started by the constructor (bounded wait for the port), killed by PID and its
// directory removed by the destructor, so nothing outlives the test.
#pragma once

#include <fmt/format.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "support/loopback_port.h"
#include "util/files.h"
#include "util/process.h"

namespace zerospof::testing {

class LocalSshd {
 public:
  LocalSshd() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "zerospof-sshd-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) return;
    dir_ = pattern;
    if (!make_key("host_key") || !make_key("client_key")) return;
    ensure_privilege_separation_dir();
    // The free port is free when asked, not necessarily when sshd binds it: another test
    // running beside this one (ctest -j) may take it first. Then sshd exits, and another port
    // is tried; readiness is sshd's own word that it listens, never merely an open port.
    for (int attempt = 0; attempt < 5 && !ready_; ++attempt) {
      stop();
      port_ = unclaimed_loopback_port();
      write_config();
      auto pid = util::spawn_detached({"/usr/sbin/sshd", "-D", "-e", "-f", dir_ + "/sshd_config"},
                                      {.log_path = dir_ + "/sshd.log"});
      if (!pid) return;
      pid_ = *pid;
      ready_ = wait_until_listening();
    }
  }

  ~LocalSshd() {
    stop();
    if (created_privsep_dir_) std::filesystem::remove("/run/sshd");
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  LocalSshd(const LocalSshd&) = delete;
  LocalSshd& operator=(const LocalSshd&) = delete;

  bool ready() const { return ready_; }
  std::string log() const { return util::read_file(dir_ + "/sshd.log").value_or(""); }
  int port() const { return port_; }
  std::string dir() const { return dir_; }
  std::string user() const { return getpwuid(geteuid())->pw_name; }
  std::string client_key() const { return dir_ + "/client_key"; }

  // A known_hosts file pinning this server's real key.
  std::string known_hosts() const {
    return known_hosts_with(dir_ + "/host_key.pub", "known_hosts");
  }
  // A known_hosts file pinning another key for the same address: a server that is not ours.
  std::string wrong_known_hosts() {
    make_key("other_key");
    return known_hosts_with(dir_ + "/other_key.pub", "wrong_known_hosts");
  }

 private:
  bool make_key(const std::string& name) const {
    auto result = util::run(
        {"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "test", "-f", dir_ + "/" + name});
    return result && result->succeeded();
  }

  std::string known_hosts_with(const std::string& public_key, const std::string& name) const {
    std::string key = util::read_file(public_key).value_or("");
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << fmt::format("[127.0.0.1]:{} {}", port_, key);
    return path;
  }

  void write_config() const {
    std::ofstream(dir_ + "/sshd_config") << fmt::format(
        "ListenAddress 127.0.0.1\nPort {0}\nHostKey {1}/host_key\nAuthorizedKeysFile "
        "{1}/client_key.pub\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
        "UsePAM no\nStrictModes no\nPermitRootLogin prohibit-password\nPidFile none\n"
        "AllowUsers {2}\n",
        port_, dir_, user());
  }

  // sshd running as root insists on its privilege separation directory.
  void ensure_privilege_separation_dir() {
    if (geteuid() != 0 || std::filesystem::exists("/run/sshd")) return;
    created_privsep_dir_ = std::filesystem::create_directory("/run/sshd");
    chmod("/run/sshd", 0755);
  }

  // Ends the sshd this object started, by its PID (bounded, then SIGKILL).
  void stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 200 && util::process_alive(pid_); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (util::process_alive(pid_)) kill(pid_, SIGKILL);
    pid_ = -1;
  }

  // Until sshd logs that it listens on our port (bounded: 5 s); false once it has exited.
  bool wait_until_listening() const {
    const std::string listening = "Server listening on 127.0.0.1 port " + std::to_string(port_);
    for (int attempt = 0; attempt < 500 && util::process_alive(pid_); ++attempt) {
      if (log().find(listening) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  std::string dir_;
  int port_ = 0;
  pid_t pid_ = 0;
  bool ready_ = false;
  bool created_privsep_dir_ = false;
};

}  // namespace zerospof::testing
