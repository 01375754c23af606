#pragma once
// For tests that start real processes: whether one is gone, and small temp-dir scripts.
#include <signal.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

namespace bw::testing {

// Whether `pid` is gone (or a zombie waiting for a reaper that is not ours), allowing up to 2 s for
// a signal just sent to land.
inline bool gone(pid_t pid) {
  for (int i = 0; i < 200; ++i) {
    if (::kill(pid, 0) != 0) return true;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string s;
    std::getline(stat, s);
    const auto close = s.rfind(')');
    if (close != std::string::npos && close + 2 < s.size() && s[close + 2] == 'Z') return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

// The pid a script wrote into `path`, waiting up to 5 s for it to be written.
inline pid_t pid_in(const std::string& path) {
  for (int i = 0; i < 500; ++i) {
    std::ifstream in(path);
    pid_t pid = 0;
    if (in >> pid && pid > 0) return pid;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return 0;
}

}  // namespace bw::testing
