#include "core/pickle.h"

#include <cstring>
#include <map>

#include "core/error.h"

namespace egsde::pickle {
namespace {

ValuePtr make(Kind k) {
  auto v = std::make_shared<Value>();
  v->kind = k;
  return v;
}

// torch.<X>Storage / torch.<x> dtype globals -> scalar type.
std::optional<torch::ScalarType> storage_dtype(const std::string& global) {
  static const std::map<std::string, torch::ScalarType> kMap = {
      {"torch.FloatStorage", torch::kFloat32},   {"torch.DoubleStorage", torch::kFloat64},
      {"torch.HalfStorage", torch::kFloat16},    {"torch.BFloat16Storage", torch::kBFloat16},
      {"torch.LongStorage", torch::kInt64},      {"torch.IntStorage", torch::kInt32},
      {"torch.ShortStorage", torch::kInt16},     {"torch.CharStorage", torch::kInt8},
      {"torch.ByteStorage", torch::kUInt8},      {"torch.BoolStorage", torch::kBool},
      {"torch.float32", torch::kFloat32},        {"torch.float64", torch::kFloat64},
      {"torch.float16", torch::kFloat16},        {"torch.bfloat16", torch::kBFloat16},
      {"torch.int64", torch::kInt64},            {"torch.int32", torch::kInt32},
      {"torch.uint8", torch::kUInt8},            {"torch.bool", torch::kBool},
  };
  auto it = kMap.find(global);
  if (it == kMap.end()) return std::nullopt;
  return it->second;
}

class Machine {
 public:
  Machine(const std::string& data, const PersistentLoad& pl, const std::string& source)
      : data_(data), persistent_load_(pl), source_(source) {}

  ValuePtr run() {
    while (true) {
      const uint8_t op = u8();
      switch (op) {
        case 0x80: u8(); break;                                  // PROTO
        case 0x95: pos_ += 8; break;                             // FRAME
        case '.': return pop();                                  // STOP
        case '(': marks_.push_back(stack_.size()); break;        // MARK
        case 'N': stack_.push_back(make(Kind::None)); break;
        case 0x88: push_bool(true); break;                       // NEWTRUE
        case 0x89: push_bool(false); break;                      // NEWFALSE
        case 'J': push_int(static_cast<int32_t>(le(4))); break;  // BININT
        case 'K': push_int(le(1)); break;                        // BININT1
        case 'M': push_int(le(2)); break;                        // BININT2
        case 0x8a: push_long(u8()); break;                       // LONG1
        case 0x8b: push_long(static_cast<size_t>(le(4))); break; // LONG4
        case 'G': push_float(); break;                           // BINFLOAT
        case 'X': push_str(Kind::String, le(4)); break;          // BINUNICODE
        case 0x8c: push_str(Kind::String, u8()); break;          // SHORT_BINUNICODE
        case 0x8d: push_str(Kind::String, le(8)); break;         // BINUNICODE8
        case 'T': push_str(Kind::Bytes, le(4)); break;           // BINSTRING
        case 'U': push_str(Kind::Bytes, u8()); break;            // SHORT_BINSTRING
        case 'B': push_str(Kind::Bytes, le(4)); break;           // BINBYTES
        case 'C': push_str(Kind::Bytes, u8()); break;            // SHORT_BINBYTES
        case 0x8e: push_str(Kind::Bytes, le(8)); break;          // BINBYTES8
        case ')': stack_.push_back(make(Kind::Tuple)); break;    // EMPTY_TUPLE
        case ']': stack_.push_back(make(Kind::List)); break;     // EMPTY_LIST
        case '}': stack_.push_back(make(Kind::Dict)); break;     // EMPTY_DICT
        case 't': { auto v = make(Kind::Tuple); v->items = pop_mark(); stack_.push_back(v); break; }
        case 'l': { auto v = make(Kind::List); v->items = pop_mark(); stack_.push_back(v); break; }
        case 'd': { auto v = make(Kind::Dict); set_items(*v, pop_mark()); stack_.push_back(v); break; }
        case 0x85: tuple_n(1); break;                            // TUPLE1
        case 0x86: tuple_n(2); break;                            // TUPLE2
        case 0x87: tuple_n(3); break;                            // TUPLE3
        case 'a': { auto x = pop(); top(Kind::List)->items.push_back(x); break; }  // APPEND
        case 'e': { auto xs = pop_mark(); auto& l = top(Kind::List)->items; l.insert(l.end(), xs.begin(), xs.end()); break; }
        case 's': { auto v = pop(); auto k = pop(); top(Kind::Dict)->dict.emplace_back(k, v); break; }  // SETITEM
        case 'u': { auto xs = pop_mark(); set_items(*top(Kind::Dict), xs); break; }                    // SETITEMS
        case 'q': memo_[le(1)] = back(); break;                  // BINPUT
        case 'r': memo_[le(4)] = back(); break;                  // LONG_BINPUT
        case 0x94: memo_[memo_.size()] = back(); break;          // MEMOIZE
        case 'h': get(le(1)); break;                             // BINGET
        case 'j': get(le(4)); break;                             // LONG_BINGET
        case 'c': {                                              // GLOBAL
          auto module = line();
          auto name = line();
          push_global(module + "." + name);
          break;
        }
        case 0x93: {                                             // STACK_GLOBAL
          auto name = pop();
          auto module = pop();
          push_global(module->s + "." + name->s);
          break;
        }
        case 'R': reduce(); break;                               // REDUCE
        case 0x81: reduce(); break;                              // NEWOBJ (cls, args)
        case 'b': pop(); break;                                  // BUILD: state (e.g. _metadata) not needed
        case 'Q': {                                              // BINPERSID
          auto pid = pop();
          auto v = make(Kind::Tensor);
          v->tensor = persistent_load_(*pid);
          stack_.push_back(v);
          break;
        }
        default:
          fail("unsupported pickle opcode 0x" + hex(op) + " at byte " + std::to_string(pos_ - 1));
      }
    }
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Error("cannot read " + source_ + ": " + what + " (not a torch.save file, or an unsupported object inside)");
  }
  static std::string hex(uint8_t b) {
    const char* d = "0123456789abcdef";
    return std::string{d[b >> 4], d[b & 15]};
  }
  uint8_t u8() {
    if (pos_ >= data_.size()) fail("truncated pickle");
    return static_cast<uint8_t>(data_[pos_++]);
  }
  uint64_t le(int n) {
    if (pos_ + n > data_.size()) fail("truncated pickle");
    uint64_t v = 0;
    for (int k = 0; k < n; ++k) v |= static_cast<uint64_t>(static_cast<uint8_t>(data_[pos_ + k])) << (8 * k);
    pos_ += n;
    return v;
  }
  std::string line() {
    auto end = data_.find('\n', pos_);
    if (end == std::string::npos) fail("truncated pickle");
    auto s = data_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return s;
  }
  ValuePtr pop() {
    if (stack_.empty()) fail("pickle stack underflow");
    auto v = stack_.back();
    stack_.pop_back();
    return v;
  }
  ValuePtr back() {
    if (stack_.empty()) fail("pickle stack underflow");
    return stack_.back();
  }
  ValuePtr top(Kind k) {
    auto v = back();
    if (v->kind != k) fail("malformed pickle (container expected)");
    return v;
  }
  std::vector<ValuePtr> pop_mark() {
    if (marks_.empty()) fail("pickle MARK missing");
    const size_t m = marks_.back();
    marks_.pop_back();
    std::vector<ValuePtr> xs(stack_.begin() + static_cast<std::ptrdiff_t>(m), stack_.end());
    stack_.resize(m);
    return xs;
  }
  void get(uint64_t idx) {
    auto it = memo_.find(idx);
    if (it == memo_.end()) fail("pickle memo key missing");
    stack_.push_back(it->second);
  }
  void push_bool(bool b) { auto v = make(Kind::Bool); v->b = b; stack_.push_back(v); }
  void push_int(int64_t i) { auto v = make(Kind::Int); v->i = i; stack_.push_back(v); }
  void push_long(size_t n) {
    if (n > 8 || pos_ + n > data_.size()) fail("integer too large");
    int64_t x = 0;
    for (size_t k = 0; k < n; ++k) x |= static_cast<int64_t>(static_cast<uint8_t>(data_[pos_ + k])) << (8 * k);
    if (n > 0 && n < 8 && (static_cast<uint8_t>(data_[pos_ + n - 1]) & 0x80)) x -= int64_t(1) << (8 * n);  // sign
    pos_ += n;
    push_int(x);
  }
  void push_float() {
    uint64_t bits = 0;
    for (int k = 0; k < 8; ++k) bits = (bits << 8) | u8();  // big endian
    double d;
    std::memcpy(&d, &bits, 8);
    auto v = make(Kind::Float);
    v->f = d;
    stack_.push_back(v);
  }
  void push_str(Kind k, uint64_t n) {
    if (pos_ + n > data_.size()) fail("truncated pickle");
    auto v = make(k);
    v->s = data_.substr(pos_, n);
    pos_ += n;
    stack_.push_back(v);
  }
  void push_global(const std::string& name) {
    auto v = make(Kind::Global);
    v->s = name;
    stack_.push_back(v);
  }
  void tuple_n(size_t n) {
    if (stack_.size() < n) fail("pickle stack underflow");
    auto v = make(Kind::Tuple);
    v->items.assign(stack_.end() - static_cast<std::ptrdiff_t>(n), stack_.end());
    stack_.resize(stack_.size() - n);
    stack_.push_back(v);
  }
  void set_items(Value& d, const std::vector<ValuePtr>& xs) {
    if (xs.size() % 2) fail("odd SETITEMS");
    for (size_t k = 0; k < xs.size(); k += 2) d.dict.emplace_back(xs[k], xs[k + 1]);
  }
  static int64_t as_int(const ValuePtr& v) { return v->kind == Kind::Bool ? v->b : v->i; }
  std::vector<int64_t> int_tuple(const ValuePtr& v) {
    if (v->kind != Kind::Tuple && v->kind != Kind::List) fail("tensor size/stride is not a tuple");
    std::vector<int64_t> out;
    for (auto& x : v->items) out.push_back(as_int(x));
    return out;
  }

  void reduce() {
    auto args = pop();
    auto callable = pop();
    const std::string& fn = callable->kind == Kind::Global ? callable->s : std::string();
    auto& a = args->items;
    if (fn == "collections.OrderedDict") {
      auto v = make(Kind::Dict);
      for (auto& kv : a) {  // OrderedDict([(k, v), ...]) form
        if (kv->kind == Kind::List)
          for (auto& pair : kv->items)
            if (pair->items.size() == 2) v->dict.emplace_back(pair->items[0], pair->items[1]);
      }
      stack_.push_back(v);
    } else if (fn == "torch._utils._rebuild_tensor_v2" || fn == "torch._utils._rebuild_tensor") {
      // (storage, storage_offset, size, stride, [requires_grad, backward_hooks, metadata])
      if (a.size() < 4 || a[0]->kind != Kind::Tensor) fail("malformed _rebuild_tensor_v2");
      auto v = make(Kind::Tensor);
      v->tensor = a[0]->tensor.as_strided(int_tuple(a[2]), int_tuple(a[3]), as_int(a[1]));
      stack_.push_back(v);
    } else if (fn == "torch._utils._rebuild_parameter" || fn == "torch._utils._rebuild_parameter_with_state") {
      if (a.empty() || a[0]->kind != Kind::Tensor) fail("malformed _rebuild_parameter");
      stack_.push_back(a[0]);
    } else if (fn.rfind("torch.jit._pickle.", 0) == 0 && !a.empty()) {
      stack_.push_back(a[0]);  // LibTorch's pickle_save: restore_type_tag(obj, tag), build_*list(list)
    } else if (auto dt = storage_dtype(fn); dt && a.empty()) {
      stack_.push_back(callable);  // e.g. torch.FloatStorage() used as a type marker
    } else {
      auto v = make(Kind::Object);  // argparse.Namespace, numpy scalars, ...: kept opaque
      v->s = fn;
      v->items = {callable, args};
      stack_.push_back(v);
    }
  }

  const std::string& data_;
  const PersistentLoad& persistent_load_;
  const std::string& source_;
  size_t pos_ = 0;
  std::vector<ValuePtr> stack_;
  std::vector<size_t> marks_;
  std::map<uint64_t, ValuePtr> memo_;
};

}  // namespace

ValuePtr load(const std::string& data, const PersistentLoad& persistent_load, const std::string& source) {
  return Machine(data, persistent_load, source).run();
}

std::optional<torch::ScalarType> dtype_of_global(const std::string& global) { return storage_dtype(global); }

}  // namespace egsde::pickle
