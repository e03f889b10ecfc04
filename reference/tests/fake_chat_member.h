// A stand-in for chat streams, and the fixture the chat hub's tests share.
#ifndef COURSE_REFERENCE_TESTS_FAKE_CHAT_MEMBER_H_
#define COURSE_REFERENCE_TESTS_FAKE_CHAT_MEMBER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "domain/chat_hub.h"
#include "gtest/gtest.h"

namespace course::domain::test {

// A chat stream that never sends: everything queued stays pending, so the
// number of messages received is the number waiting. Over `capacity` waiting
// messages it reports itself full, as a real stream does past H6's limit.
class FakeMember final : public ChatMember {
 public:
  static constexpr std::size_t kUnlimited = std::numeric_limits<std::size_t>::max();

  explicit FakeMember(std::size_t capacity = kUnlimited) : capacity_(capacity) {}

  bool Enqueue(const ChatMessage& message) override {
    std::lock_guard lock(mu_);
    received_.push_back(message);
    return received_.size() <= capacity_;
  }

  void Wake() override {
    std::function<void()> on_wake;
    {
      std::lock_guard lock(mu_);
      ++wakes_;
      on_wake = on_wake_;
    }
    if (on_wake) on_wake();
  }

  // Runs `action` on every Wake, as a stream ending itself would.
  void OnWake(std::function<void()> action) {
    std::lock_guard lock(mu_);
    on_wake_ = std::move(action);
  }

  std::vector<ChatMessage> Received() const {
    std::lock_guard lock(mu_);
    return received_;
  }

  std::vector<std::int64_t> SeqsIn(const std::string& room) const {
    std::lock_guard lock(mu_);
    std::vector<std::int64_t> seqs;
    for (const ChatMessage& message : received_) {
      if (message.room == room) seqs.push_back(message.seq);
    }
    return seqs;
  }

  int Wakes() const {
    std::lock_guard lock(mu_);
    return wakes_;
  }

 private:
  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::vector<ChatMessage> received_;
  int wakes_ = 0;
  std::function<void()> on_wake_;
};

inline ChatMessage Message(std::string room, std::string text, std::string sender = "someone") {
  ChatMessage message;
  message.room = std::move(room);
  message.sender = std::move(sender);
  message.text = std::move(text);
  return message;
}

// seqs is first, first+1, ..., last with nothing missing.
inline bool IsGaplessRun(const std::vector<std::int64_t>& seqs, std::int64_t first,
                         std::int64_t last) {
  if (seqs.size() != static_cast<std::size_t>(last - first + 1)) return false;
  for (std::size_t i = 0; i < seqs.size(); ++i) {
    if (seqs[i] != first + static_cast<std::int64_t>(i)) return false;
  }
  return true;
}

class ChatHubTest : public ::testing::Test {
 protected:
  std::shared_ptr<FakeMember> NewMember(std::size_t capacity = FakeMember::kUnlimited) {
    return std::make_shared<FakeMember>(capacity);
  }

  ChatHub hub_;
};

}  // namespace course::domain::test

#endif  // COURSE_REFERENCE_TESTS_FAKE_CHAT_MEMBER_H_
