#include "remediator/app/outbox_mailer.h"

#include <spdlog/spdlog.h>

#include <string>
#include <vector>

#include "remediator/app/crash_point.h"

namespace fhc::remediator {
namespace {

// "a@x, b@y" -> {"a@x", "b@y"}
std::vector<std::string> SplitAddresses(const std::string& list) {
  std::vector<std::string> out;
  for (std::size_t start = 0; start <= list.size();) {
    auto comma = list.find(',', start);
    auto addr = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    while (!addr.empty() && addr.front() == ' ') addr.erase(0, 1);
    while (!addr.empty() && addr.back() == ' ') addr.pop_back();
    if (!addr.empty()) out.push_back(addr);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace

OutboxMailer::OutboxMailer(const RemediatorConfig& config, StateKeeper& keeper, MailSender* sender,
                           SharedCounters& counters, const Clock& clock)
    : config_(config), keeper_(keeper), sender_(sender), counters_(counters), clock_(clock) {}

OutboxMailer::~OutboxMailer() { Stop(); }

void OutboxMailer::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void OutboxMailer::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool OutboxMailer::stopping() const {
  std::lock_guard lock(mu_);
  return stopping_;
}

bool OutboxMailer::Idle() const {
  if (sender_ == nullptr) return true;
  const WallTime now = clock_.Now();
  for (const auto& m : keeper_.Last().outbox) {
    if (m.next_attempt_at <= now) return false;
  }
  return true;
}

void OutboxMailer::Loop() {
  while (true) {
    SendDue();
    std::unique_lock lock(mu_);
    if (wake_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_; })) return;
  }
}

void OutboxMailer::SendDue() {
  if (sender_ == nullptr) return;
  auto state = keeper_.Read();
  if (!state) return;
  const WallTime now = clock_.Now();
  for (const auto& m : state->outbox) {
    if (m.next_attempt_at > now) continue;
    Mail mail;
    mail.from = m.from;
    mail.to = SplitAddresses(m.to);
    mail.subject = m.subject;
    mail.text_body = m.body;
    for (const auto& [k, v] : m.headers) mail.headers.emplace_back(k, v);
    Status sent = sender_->Send(mail);
    if (sent) CrashPoint("after_mail_sent");
    counters_.Update([&](RemediatorCounters& c) { c.emails[sent ? "sent" : "failed"] += 1; });
    if (sent) {
      spdlog::info("mail \"{}\" sent to {}", m.subject, m.to);
    } else {
      spdlog::warn("mail \"{}\" not sent (will retry in {:.0f} s): {}", m.subject,
                   config_.mail_retry_seconds, sent.error());
    }
    const std::string id = m.id;
    const std::string error = sent ? "" : sent.error();
    keeper_.Transact(
        [&](State& s) {
          for (auto it = s.outbox.begin(); it != s.outbox.end(); ++it) {
            if (it->id != id) continue;
            if (error.empty()) {
              s.outbox.erase(it);
            } else {
              it->attempts += 1;
              it->last_error = error;
              it->next_attempt_at = now + std::chrono::milliseconds(
                                              static_cast<long>(config_.mail_retry_seconds * 1000));
            }
            break;
          }
        },
        "outbox");
    if (stopping()) return;
  }
}

}  // namespace fhc::remediator
