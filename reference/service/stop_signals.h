// SIGTERM and SIGINT for a server program: blocked in every thread and taken
// by one sigwait, so a stop request reaches the program's own code rather
// than a thread of gRPC's. The reference, the mutant server and the bench's
// echo server stop this way.
#ifndef COURSE_REFERENCE_SERVICE_STOP_SIGNALS_H_
#define COURSE_REFERENCE_SERVICE_STOP_SIGNALS_H_

#include <pthread.h>

#include <csignal>

namespace course::service {

class StopSignals {
 public:
  // Blocks the signals in this thread and in every thread started after it:
  // construct it before gRPC starts its threads.
  StopSignals() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
  }
  // Waits for one of them; returns its number.
  int Wait() {
    int signal = 0;
    sigwait(&set_, &signal);
    return signal;
  }

 private:
  sigset_t set_;
};

}  // namespace course::service

#endif  // COURSE_REFERENCE_SERVICE_STOP_SIGNALS_H_
