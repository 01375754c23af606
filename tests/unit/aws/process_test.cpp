// The process runner against real children: /bin/sh scripts in a temp dir.
#include "aws/process.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/support/processes.hpp"

namespace bw::aws {
namespace {

using bw::testing::gone;
using bw::testing::pid_in;
using std::chrono::milliseconds;

class Process : public ::testing::Test {
 protected:
  std::string script(const std::string& name, const std::string& body) const { return dir_.script(name, body); }
  static ProcessResult sh(const std::string& code, ProcessOptions options = {}) {
    return run_process({"/bin/sh", "-c", code}, {"PATH=/usr/bin:/bin"}, "", options);
  }
  // A timeout and a grace short enough for a test.
  static ProcessOptions quick() {
    ProcessOptions options;
    options.timeout = milliseconds(300);
    options.kill_grace = milliseconds(300);
    return options;
  }

  bw::testing::ScriptDir dir_{"bw_process"};
};

TEST_F(Process, ExitCodesAndSignalsAreReported) {
  const auto ok = sh("exit 0");
  EXPECT_TRUE(ok.succeeded());
  EXPECT_EQ(ok.exit_code, 0);
  const auto three = sh("exit 3");
  EXPECT_FALSE(three.succeeded());
  EXPECT_EQ(three.exit_code, 3);
  EXPECT_EQ(three.signal, 0);
  const auto killed = sh("kill -KILL $$");
  EXPECT_FALSE(killed.succeeded());
  EXPECT_EQ(killed.signal, SIGKILL);
  const auto missing = run_process({dir_.path("no-such")}, {}, "", {});
  EXPECT_FALSE(missing.started);
  EXPECT_EQ(missing.spawn_error, "cannot run \"" + dir_.path("no-such") + "\": No such file or directory");
}

TEST_F(Process, StdoutAndStderrMergedOrApart) {
  const auto merged = sh("echo out; echo err >&2");
  EXPECT_EQ(merged.output, "out\nerr\n");
  EXPECT_EQ(merged.errors, "");
  ProcessOptions apart;
  apart.merge_stderr = false;
  const auto split = sh("echo out; echo err >&2", apart);
  EXPECT_EQ(split.output, "out\n");
  EXPECT_EQ(split.errors, "err\n");
}

TEST_F(Process, EnvironmentIsExactlyWhatIsPassedAndInputIsOnStdin) {
  const auto r = run_process({"/bin/sh", "-c", "env | sort; cat"}, {"B=2", "A=one two"}, "the input", {});
  ASSERT_TRUE(r.succeeded()) << r.spawn_error;
  EXPECT_THAT(r.output, ::testing::StartsWith("A=one two\nB=2\n"));
  EXPECT_THAT(r.output, ::testing::EndsWith("the input"));
  EXPECT_EQ(r.output.find("HOME="), std::string::npos);
}

TEST_F(Process, OutputIsBounded) {
  ProcessOptions options;
  options.output_limit = 1000;
  const auto r = run_process({script("loud.sh", "head -c 300000 /dev/zero | tr '\\0' x\n")}, {}, "", options);
  EXPECT_TRUE(r.succeeded());
  EXPECT_EQ(r.output, std::string(1000, 'x'));
  EXPECT_EQ(r.dropped, 299000u);
}

TEST_F(Process, EndlessOutputStillTimesOut) {
  const auto options = quick();
  const auto r = run_process({"yes"}, {"PATH=/usr/bin:/bin"}, "", options);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.output.size(), options.output_limit);
  EXPECT_GT(r.dropped, 0u);
  EXPECT_LT(r.elapsed, milliseconds(3000));
}

TEST_F(Process, PathLookupAndAChildThatIgnoresItsInput) {
  // 1 MB of input to a child that never reads it: neither side may block.
  const auto r = run_process({"true"}, {"PATH=/usr/bin:/bin"}, std::string(1 << 20, '{'), {});
  EXPECT_TRUE(r.succeeded()) << r.spawn_error;
}

// The measured bug of credential_process: a grandchild holding stdout kept the run going, and a
// timeout killed the child's pid only. The group goes, within the timeout and the grace.
TEST_F(Process, TimeoutKillsTheGroupAndAGrandchildHoldingStdoutCannotHoldTheRun) {
  const auto hook = script("slow.sh", "sleep 100 &\necho $! > \"$0.child\"\nwait\n");
  const auto options = quick();
  const auto r = run_process({hook}, {}, "", options);
  EXPECT_TRUE(r.timed_out);
  EXPECT_LT(r.elapsed, options.timeout + options.kill_grace + milliseconds(500));
  const auto grandchild = pid_in(hook + ".child");
  ASSERT_GT(grandchild, 0);
  EXPECT_TRUE(gone(grandchild)) << "the grandchild " << grandchild << " outlived the timeout";
}

TEST_F(Process, SigkillAfterTheGraceWhenSigtermIsIgnored) {
  const auto hook = script("stubborn.sh", "trap '' TERM\nsleep 30 &\necho $! > \"$0.child\"\nwait\nsleep 30\n");
  const auto r = run_process({hook}, {}, "", quick());
  EXPECT_TRUE(r.timed_out);
  EXPECT_TRUE(r.killed);
  EXPECT_EQ(r.signal, SIGKILL);
  EXPECT_LT(r.elapsed, milliseconds(3000));
  EXPECT_TRUE(gone(pid_in(hook + ".child")));
}

TEST_F(Process, ABackgroundChildHoldingTheOutputDoesNotHoldTheRun) {
  const auto r = run_process({script("detach.sh", "sleep 3 &\necho done\n")}, {}, "", {});
  EXPECT_LT(r.elapsed, milliseconds(2000));
  EXPECT_TRUE(r.succeeded());
  EXPECT_EQ(r.output, "done\n");
}

// The daemon blocks SIGTERM (and SIGHUP, SIGINT) for its signal thread; a child that inherited the
// mask could not be stopped by SIGTERM. Here the child signals itself.
TEST_F(Process, SignalMaskIsReset) {
  sigset_t term, old;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &term, &old), 0);
  const auto r = sh("kill -TERM $$; echo survived");
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  EXPECT_EQ(r.signal, SIGTERM) << "output: " << r.output;
  EXPECT_EQ(r.output, "");
}

TEST_F(Process, IgnoredSignalsAreDefaultAgain) {
  struct sigaction ignore {}, old{};
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(::sigaction(SIGINT, &ignore, &old), 0);
  const auto r = sh("kill -INT $$; echo survived");
  ::sigaction(SIGINT, &old, nullptr);
  EXPECT_EQ(r.signal, SIGINT) << "output: " << r.output;
}

TEST_F(Process, CancelFromAnotherThreadStopsTheGroupAtOnce) {
  const auto hook = script("long.sh", "sleep 100 &\necho $! > \"$0.child\"\nwait\n");
  Cancellation cancel;
  ProcessOptions options;
  options.timeout = milliseconds(60000);
  options.cancel = &cancel;
  std::thread canceller([&] {
    pid_in(hook + ".child");  // the hook is running
    cancel.cancel();
  });
  const auto r = run_process({hook}, {}, "", options);
  canceller.join();
  EXPECT_TRUE(r.cancelled);
  EXPECT_FALSE(r.timed_out);
  EXPECT_FALSE(r.succeeded());
  EXPECT_EQ(r.signal, SIGTERM);
  EXPECT_LT(r.elapsed, milliseconds(5000));
  EXPECT_TRUE(gone(pid_in(hook + ".child")));

  // Once cancelled, nothing more starts.
  const auto later = run_process({hook}, {}, "", options);
  EXPECT_FALSE(later.started);
  EXPECT_TRUE(later.cancelled);
}

TEST_F(Process, ACancelEscalatesToSigkillAfterItsOwnShortGrace) {
  const auto hook = script("deaf.sh", "trap '' TERM\necho up > \"$0.up\"\nwhile :; do sleep 1; done\n");
  Cancellation cancel;
  ProcessOptions options;
  options.kill_grace = milliseconds(60000);  // the timeout's grace is not the one that applies
  options.cancel_grace = milliseconds(200);
  options.cancel = &cancel;
  std::thread canceller([&] {
    while (!std::filesystem::exists(hook + ".up")) std::this_thread::sleep_for(milliseconds(10));
    cancel.cancel();
  });
  const auto r = run_process({hook}, {}, "", options);
  canceller.join();
  EXPECT_TRUE(r.cancelled);
  EXPECT_TRUE(r.killed);
  EXPECT_EQ(r.signal, SIGKILL);
  EXPECT_LT(r.elapsed, milliseconds(3000));
}

}  // namespace
}  // namespace bw::aws
