#include "bench/load_worker.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace course::bench {

void Worker::AddSlot(UserService::Stub* stub, int id, int slot_number) {
  auto slot = std::make_unique<Slot>();
  slot->stub = stub;
  slot->get_request.set_id(id);
  slot->list_request.set_page_size(options_.page_size);
  slot->create_request.set_name("Bench User");
  slot->chat_out.set_room(absl::StrCat("bench-", nonce_, "-", slot_number));
  slot->chat_out.set_sender("course bench");
  slot->chat_out.set_text("load");
  slots_.push_back(std::move(slot));
}

void Worker::Run() {
  const auto offset = interval_ * index_ / std::max(1, options_.threads);
  next_due_ = schedule_.start + offset;
  for (auto& slot : slots_) {
    const Clock::time_point now = Clock::now();
    if (!schedule_.open_loop && MoreToStart(now)) {
      Start(*slot, now);
    } else {
      idle_.push_back(slot.get());
    }
  }
  if (!schedule_.open_loop) {
    // Closed loop: every completion starts the next call itself, and
    // every call has a deadline, so a plain blocking Next is enough (and
    // costs no clock reads).
    void* tag = nullptr;
    bool ok = false;
    while (in_flight_ > 0 && cq_.Next(&tag, &ok)) {
      Tag* t = static_cast<Tag*>(tag);
      Handle(*t->slot, t->op, ok);
    }
  }
  while (schedule_.open_loop) {
    const Clock::time_point now = Clock::now();
    StartDue(now);
    const bool more = MoreToStart(now);
    if (in_flight_ == 0 && !more) break;
    Clock::time_point wake = now + std::chrono::milliseconds(100);
    if (more && !idle_.empty()) wake = std::min(wake, next_due_);
    const gpr_timespec until = gpr_time_add(
        gpr_now(GPR_CLOCK_MONOTONIC),
        gpr_time_from_nanos(std::max<std::int64_t>(0, std::chrono::nanoseconds(wake - now).count()),
                            GPR_TIMESPAN));
    void* tag = nullptr;
    bool ok = false;
    const auto got = cq_.AsyncNext(&tag, &ok, until);
    if (got == grpc::CompletionQueue::SHUTDOWN) break;
    if (got == grpc::CompletionQueue::GOT_EVENT) {
      Tag* t = static_cast<Tag*>(tag);
      Handle(*t->slot, t->op, ok);
    }
  }
  cq_.Shutdown();
  void* tag = nullptr;
  bool ok = false;
  while (cq_.Next(&tag, &ok)) {
  }
  finished.store(true, std::memory_order_release);
}

bool Worker::MoreToStart(Clock::time_point now) const {
  if (now >= schedule_.hard_stop) return false;
  if (quota_ > 0) return started_ < quota_;
  if (schedule_.open_loop) return next_due_ < schedule_.stop_starting;
  return now < schedule_.stop_starting;
}

void Worker::StartDue(Clock::time_point now) {
  while (!idle_.empty() && next_due_ <= now && MoreToStart(now)) {
    Slot* slot = idle_.back();
    idle_.pop_back();
    Start(*slot, next_due_);
    next_due_ += interval_;
  }
}

void Worker::Start(Slot& slot, Clock::time_point intended) {
  ++started_;
  ++in_flight_;
  slot.intended = intended;
  slot.messages = 0;
  slot.sent = 0;
  slot.reads_closed = slot.writes_closed = false;
  grpc::ClientContext& context = slot.context.emplace();
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::milliseconds(options_.deadline_ms));
  switch (schedule_.rpc) {
    case Rpc::kGetUser:
      slot.get = slot.stub->PrepareAsyncGetUser(&context, slot.get_request, &cq_);
      slot.get->StartCall();
      slot.get->Finish(&slot.user, &slot.status, &slot.finish);
      break;
    case Rpc::kListUsers:
      slot.list = slot.stub->PrepareAsyncListUsers(&context, slot.list_request, &cq_);
      slot.list->StartCall(&slot.start);
      break;
    case Rpc::kCreateUsers:
      if (!bearer_.empty()) context.AddMetadata("authorization", bearer_);
      slot.create = slot.stub->PrepareAsyncCreateUsers(&context, &slot.create_response, &cq_);
      slot.create->StartCall(&slot.start);
      break;
    case Rpc::kChat:
      slot.chat = slot.stub->PrepareAsyncChat(&context, &cq_);
      slot.chat->StartCall(&slot.start);
      break;
  }
}

void Worker::Handle(Slot& slot, Op op, bool ok) {
  if (op == Op::kFinish) {
    Complete(slot);
    return;
  }
  switch (schedule_.rpc) {
    case Rpc::kGetUser:
      break;  // only Finish
    case Rpc::kListUsers:
      if (op == Op::kRead && ok) ++slot.messages;
      if (ok) {
        slot.list->Read(&slot.user, &slot.read);
      } else {
        slot.list->Finish(&slot.status, &slot.finish);
      }
      break;
    case Rpc::kCreateUsers:
      if (!ok || op == Op::kWritesDone) {
        slot.create->Finish(&slot.status, &slot.finish);
      } else if (slot.sent < options_.messages) {
        if (op == Op::kWrite) ++slot.messages;
        ++slot.sent;
        slot.create_request.set_email(
            absl::StrCat("b", nonce_, "-", index_, "-", ++serial_, "@bench.example"));
        slot.create->Write(slot.create_request, &slot.write);
      } else {
        if (op == Op::kWrite) ++slot.messages;
        slot.create->WritesDone(&slot.writes_done);
      }
      break;
    case Rpc::kChat:
      HandleChat(slot, op, ok);
      break;
  }
}

void Worker::HandleChat(Slot& slot, Op op, bool ok) {
  if (op == Op::kStart) {
    if (!ok) {
      slot.chat->Finish(&slot.status, &slot.finish);
      return;
    }
    slot.chat->Read(&slot.chat_in, &slot.read);
    NextChatWrite(slot);
    return;
  }
  if (op == Op::kRead) {
    if (ok) {
      ++slot.messages;
      slot.chat->Read(&slot.chat_in, &slot.read);
      return;
    }
    slot.reads_closed = true;
  } else if (op == Op::kWrite && ok) {
    NextChatWrite(slot);
    return;
  } else {
    slot.writes_closed = true;  // WritesDone, or a write that failed
  }
  if (slot.reads_closed && slot.writes_closed) slot.chat->Finish(&slot.status, &slot.finish);
}

void Worker::NextChatWrite(Slot& slot) {
  if (slot.sent < options_.messages) {
    ++slot.sent;
    slot.chat->Write(slot.chat_out, &slot.write);
  } else {
    slot.chat->WritesDone(&slot.writes_done);
  }
}

void Worker::Complete(Slot& slot) {
  const Clock::time_point end = Clock::now();
  const int code = std::clamp(static_cast<int>(slot.status.error_code()), 0, kCodes - 1);
  if (code == 0 && schedule_.rpc == Rpc::kGetUser) slot.messages = 1;
  if (slot.intended >= schedule_.measure_from) {
    stats_.latency.Record(std::chrono::nanoseconds(end - slot.intended).count());
    ++stats_.calls;
    stats_.messages += slot.messages;
    ++stats_.codes[code];
    stats_.last_end = end;
    if (code != 0 && stats_.samples.size() < 5) {
      std::string sample = absl::StrCat(kCodeNames[code], ": ", slot.status.error_message());
      if (std::find(stats_.samples.begin(), stats_.samples.end(), sample) == stats_.samples.end()) {
        stats_.samples.push_back(std::move(sample));
      }
    }
  }
  done.store(done.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  if (code != 0)
    failed.store(failed.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  slot.get.reset();
  slot.list.reset();
  slot.create.reset();
  slot.chat.reset();
  slot.context.reset();
  --in_flight_;
  if (!schedule_.open_loop && MoreToStart(end)) {
    Start(slot, end);
  } else {
    idle_.push_back(&slot);
  }
}

}  // namespace course::bench
