#include "remediator/app/outbox_mailer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
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
  // What the stored outbox no longer holds needs no memory (stored, or removed by another
  // replica).
  std::set<std::string> queued;
  for (const auto& m : state->outbox) queued.insert(m.id);
  std::erase_if(sent_, [&](const std::string& id) { return !queued.count(id); });
  std::erase_if(failed_, [&](const auto& entry) { return !queued.count(entry.first); });

  for (const auto& m : state->outbox) {
    if (m.next_attempt_at > now || sent_.count(m.id)) continue;
    if (auto f = failed_.find(m.id); f != failed_.end() && f->second.retry_at > now) continue;
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
      sent_.insert(m.id);
      failed_.erase(m.id);
    } else {
      spdlog::warn("mail \"{}\" not sent (will retry in {:.0f} s): {}", m.subject,
                   config_.mail_retry_seconds, sent.error());
      failed_[m.id] = {
          sent.error(),
          now + std::chrono::milliseconds(static_cast<long>(config_.mail_retry_seconds * 1000))};
    }
    if (clock_.Now() >= write_again_at_) StoreOutcomes(clock_.Now());
    if (stopping()) return;
  }
  if ((!sent_.empty() || !failed_.empty()) && clock_.Now() >= write_again_at_) {
    StoreOutcomes(clock_.Now());
  }
}

bool OutboxMailer::StoreOutcomes(WallTime now) {
  if (sent_.empty() && failed_.empty()) return true;
  const auto stored = keeper_.Transact(
      [&](State& s) {
        std::erase_if(s.outbox, [&](const OutboxMail& m) { return sent_.count(m.id) > 0; });
        for (auto& m : s.outbox) {
          auto f = failed_.find(m.id);
          if (f == failed_.end()) continue;
          m.attempts += 1;
          m.last_error = f->second.error;
          m.next_attempt_at = f->second.retry_at;
        }
      },
      "outbox");
  if (stored) {
    sent_.clear();
    failed_.clear();
    write_backoff_seconds_ = 0;
    write_again_at_ = {};
    return true;
  }
  write_backoff_seconds_ = std::min(std::max(1.0, write_backoff_seconds_ * 2), 60.0);
  write_again_at_ =
      now + std::chrono::milliseconds(static_cast<long>(write_backoff_seconds_ * 1000));
  spdlog::warn(
      "outbox not stored; {} sent and {} failed mail(s) held in memory, next try in "
      "{:.0f} s (none is sent again meanwhile)",
      sent_.size(), failed_.size(), write_backoff_seconds_);
  return false;
}

}  // namespace fhc::remediator
