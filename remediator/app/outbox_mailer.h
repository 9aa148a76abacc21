#pragma once
// The outbox mailer: one thread that sends the mails queued in the stored state's outbox.
//
// Contract:
//   - Mails are composed and queued by whoever decided them, in the same state write; the mailer
//     only sends. Every second it reads the stored outbox and sends each mail that is due.
//   - A sent mail is removed from the outbox; a failed one stays with attempts+1, its error and
//     its next attempt MAIL_RETRY_SECONDS later. emails{result} counts every attempt.
//   - A mail is sent at most once per process, whatever the store does: when the outbox cannot
//     be written (store readable but not writable), the mailer remembers in memory what it sent
//     and when each failed mail may be tried again, and writes those outcomes again with backoff
//     (1 s doubling to 60 s) until stored. Memory holds at most one entry per outbox mail.
//   - With no mail sender (mail off) it does nothing.
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "common/clock/clock.h"
#include "remediator/app/remediator_config.h"
#include "remediator/app/remediator_counters.h"
#include "remediator/app/state_keeper.h"
#include "remediator/mail/mail_sender.h"

namespace fhc::remediator {

class OutboxMailer {
 public:
  // `sender` may be null (mail off).
  OutboxMailer(const RemediatorConfig& config, StateKeeper& keeper, MailSender* sender,
               SharedCounters& counters, const Clock& clock);
  ~OutboxMailer();

  void Start();
  void Stop();

  // True when mail is off or the last known outbox holds no mail that is due.
  bool Idle() const;

 private:
  void Loop();
  void SendDue();
  // Writes the outcomes held in memory; true when stored (or nothing to store).
  bool StoreOutcomes(WallTime now);
  bool stopping() const;

  struct Failure {
    std::string error;
    WallTime retry_at{};
  };

  const RemediatorConfig& config_;
  StateKeeper& keeper_;
  MailSender* sender_;
  SharedCounters& counters_;
  const Clock& clock_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;

  // Outcomes not yet in the stored outbox (mailer thread only).
  std::set<std::string> sent_;             // sent: never send again; remove from the outbox
  std::map<std::string, Failure> failed_;  // failed: count in the outbox, retry at retry_at
  WallTime write_again_at_{};              // backoff after a failed outbox write
  double write_backoff_seconds_ = 0;
};

}  // namespace fhc::remediator
