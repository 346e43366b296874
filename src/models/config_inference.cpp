#include "models/config_inference.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

#include "core/error.h"
#include "models/adm_config.h"

namespace egsde {
namespace {

bool has(const StateDict& sd, const std::string& k) { return sd.count(k) > 0; }

bool has_prefix(const StateDict& sd, const std::string& prefix) {
  const auto it = sd.lower_bound(prefix);
  return it != sd.end() && it->first.compare(0, prefix.size(), prefix) == 0;
}

// Size `d` of tensor `k`; -1 when it is absent or has fewer dimensions.
int64_t size_of(const StateDict& sd, const std::string& k, int64_t d) {
  const auto it = sd.find(k);
  return it == sd.end() || it->second.dim() <= d ? -1 : it->second.size(d);
}

// 1 + the largest N of the keys "<prefix>N.…" (0 when there are none): the length of a
// ModuleList / Sequential as its state-dict keys number it.
int64_t count_children(const StateDict& sd, const std::string& prefix) {
  int64_t n = 0;
  for (auto it = sd.lower_bound(prefix); it != sd.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    const std::string rest = it->first.substr(prefix.size());
    size_t digits = 0;
    while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits]))) ++digits;
    if (digits == 0 || digits > 9 || digits >= rest.size() || rest[digits] != '.') continue;
    n = std::max<int64_t>(n, std::stoll(rest.substr(0, digits)) + 1);
  }
  return n;
}

// A layer of unet.py's TimestepEmbedSequential, told apart by the parameters it registers.
enum class Layer { Res, Attention, ConvDown, ConvUp, Other };

Layer layer_kind(const StateDict& sd, const std::string& p) {
  if (has(sd, p + "in_layers.2.weight")) return Layer::Res;       // ResBlock
  if (has(sd, p + "qkv.weight")) return Layer::Attention;         // AttentionBlock
  if (has(sd, p + "op.weight")) return Layer::ConvDown;           // Downsample(use_conv)
  if (has(sd, p + "conv.weight")) return Layer::ConvUp;           // Upsample(use_conv)
  return Layer::Other;
}

struct Block {
  std::vector<Layer> layers;
  int64_t in = -1, out = -1;  // layer 0's ResBlock channels (its in_layers conv)
  bool skip = false;          // layer 0's ResBlock has a skip_connection conv (in != out)
};

Block read_block(const StateDict& sd, const std::string& prefix) {
  Block b;
  const int64_t n = count_children(sd, prefix);
  for (int64_t j = 0; j < n; ++j) b.layers.push_back(layer_kind(sd, prefix + std::to_string(j) + "."));
  if (!b.layers.empty() && b.layers[0] == Layer::Res) {
    b.out = size_of(sd, prefix + "0.in_layers.2.weight", 0);
    b.in = size_of(sd, prefix + "0.in_layers.2.weight", 1);
    b.skip = has(sd, prefix + "0.skip_connection.weight");
  }
  return b;
}

bool has_attention(const Block& b) {
  return std::find(b.layers.begin(), b.layers.end(), Layer::Attention) != b.layers.end();
}

// The UNet's output block that ends a level: an Upsample conv or (resblock_updown) a second ResBlock.
bool has_upsample(const Block& b) {
  for (size_t j = 1; j < b.layers.size(); ++j)
    if (b.layers[j] == Layer::ConvUp || b.layers[j] == Layer::Res) return true;
  return false;
}

bool upsample_is_resblock(const Block& b) {
  for (size_t j = 1; j < b.layers.size(); ++j)
    if (b.layers[j] == Layer::Res) return true;
  return false;
}

// create_model's channel_mult text for level multipliers `mult`: "1,1,2,2" when all are integers
// (it takes int()s), "" when only the by-size default spells them (512's 0.5); false otherwise.
bool mult_text(const std::vector<double>& mult, int64_t image_size, std::string* out) {
  std::string s;
  bool integral = true;
  for (const double m : mult) {
    integral = integral && m == std::floor(m);
    s += (s.empty() ? "" : ",") + std::to_string(static_cast<int64_t>(m));
  }
  if (integral) {
    *out = s;
    return true;
  }
  try {
    if (adm::channel_mult_for_image_size(image_size) == mult) {
      *out = "";
      return true;
    }
  } catch (const Error&) {
  }
  return false;
}

std::string widths_text(const std::vector<int64_t>& widths) {
  std::string s;
  for (const auto w : widths) s += (s.empty() ? "" : ", ") + std::to_string(w);
  return s;
}

// Level multipliers from level widths: width / base channels (level_channels inverted).
std::vector<double> multipliers(const std::vector<int64_t>& widths, int64_t base) {
  std::vector<double> mult;
  for (const auto w : widths) mult.push_back(static_cast<double>(w) / static_cast<double>(base));
  return mult;
}

// attention_resolutions text for the downsampling rates `ds` at `image_size`, the highest
// resolution first as the official profiles write it ("32,16,8"). With no attention level: a
// resolution no level reaches (image_size / 2^levels), which create_model accepts and ignores.
std::string attention_text(const std::set<int64_t>& ds, int64_t image_size, int64_t levels, bool* exact) {
  *exact = true;
  std::string s;
  for (const auto d : ds) {
    *exact = *exact && image_size % d == 0;
    s += (s.empty() ? "" : ",") + std::to_string(image_size / d);
  }
  if (ds.empty()) {
    const int64_t below = image_size >> levels;
    s = std::to_string(below > 0 ? below : 2 * image_size);
  }
  return s;
}

// "an ADM UNet", "a DDPM"
std::string with_article(const std::string& name) { return (name.rfind("ADM", 0) == 0 ? "an " : "a ") + name; }

std::string family_note(const std::string& found, const std::string& expected) {
  if (found.empty()) {
    return "the checkpoint's keys are not those of " + with_article(expected) +
           " (none of time_embed.0.weight, input_blocks.0.0.weight, conv_in.weight); is it the right file?";
  }
  std::string what_to_do;
  if (found == "DDPM") what_to_do = "set diffusionmodel to \"DDPM\" (probe: --model ddpm-unet)";
  if (found == "ADM UNet" && expected == "DDPM") what_to_do = "set diffusionmodel to \"ADM\" (probe: --model adm-unet)";
  if (found == "ADM UNet" && expected == "ADM DSE") what_to_do = "is it the score model's ckpt given as the DSE's dsepath?";
  if (found == "ADM DSE" && expected == "ADM UNet") what_to_do = "is it the DSE's dsepath given as the score model's ckpt?";
  if (found == "guided-diffusion classifier" && expected == "ADM UNet") what_to_do = "is it a classifier given as the score model?";
  return "the checkpoint's keys are those of " + with_article(found) + ", not of " + with_article(expected) +
         (what_to_do.empty() ? "" : ": " + what_to_do);
}

const char* kNotHeads =
    "num_heads, num_head_channels, num_heads_upsample, use_new_attention_order (an attention layer's qkv and "
    "proj_out weights have the same shapes for every split into heads)";

// The trunk of a DSE / classifier (no output blocks): the number of res blocks per level fits
// the input blocks' pattern [conv] + per level: depth ResBlocks (+ attention), then a downsampler
// (an `op` conv, or with resblock_updown a ResBlock with equal in/out channels and no skip) but
// after the last level. Returns every depth the blocks are consistent with.
std::vector<int64_t> consistent_depths(const std::vector<Block>& blocks) {
  const int64_t n = static_cast<int64_t>(blocks.size());  // input blocks, the first conv included
  std::vector<int64_t> depths;
  for (int64_t depth = 0; depth < n; ++depth) {
    const int64_t per_level = depth + 1;
    if (n % per_level != 0) continue;
    bool ok = true;
    std::set<Layer> down_kinds;
    for (int64_t i = 1; i < n && ok; ++i) {
      const Block& b = blocks[i];
      const int64_t pos = (i - 1) % per_level;
      if (b.layers.empty()) {
        ok = false;
      } else if (pos == depth) {  // the level's downsampler
        ok = b.layers.size() == 1 &&
             (b.layers[0] == Layer::ConvDown || (b.layers[0] == Layer::Res && b.in == b.out && !b.skip));
        down_kinds.insert(b.layers[0]);
      } else {  // a ResBlock, maybe with attention; all of a level alike
        ok = b.layers[0] == Layer::Res && (b.layers.size() == 1 || (b.layers.size() == 2 && b.layers[1] == Layer::Attention));
        if (ok && pos > 0) {
          const Block& first = blocks[i - pos];
          ok = b.out == first.out && has_attention(b) == has_attention(first);
        }
      }
    }
    if (ok && down_kinds.size() <= 1) depths.push_back(depth);
  }
  return depths;
}

}  // namespace

std::string checkpoint_family(const StateDict& sd) {
  if (has(sd, "conv_in.weight") && has(sd, "temb.dense.0.weight")) return "DDPM";
  if (!has(sd, "input_blocks.0.0.weight")) return "";
  if (has_prefix(sd, "output_blocks.")) return "ADM UNet";
  if (has_prefix(sd, "I2Iout.")) return "ADM DSE";
  if (has_prefix(sd, "out.")) return "guided-diffusion classifier";
  return "";
}

InferredConfig infer_adm_unet_config(const StateDict& sd, int64_t image_size) {
  // UNetModel.__init__'s structure, read backwards.
  InferredConfig r;
  const std::string family = checkpoint_family(sd);
  if (family != "ADM UNet") {
    r.notes.push_back(family_note(family, "ADM UNet"));
    return r;
  }
  nlohmann::json& m = r.settings["model"];
  const int64_t mc = size_of(sd, "time_embed.0.weight", 1);
  if (mc > 0) m["num_channels"] = mc;
  const int64_t out_ch = size_of(sd, "out.2.weight", 0);
  if (out_ch == 3 || out_ch == 6) {
    m["learn_sigma"] = out_ch == 6;
  } else {
    r.notes.push_back("out.2.weight has " + std::to_string(out_ch) +
                      " output channels; create_model builds 3 (learn_sigma false) or 6 (true)");
  }
  m["class_cond"] = has(sd, "label_emb.weight");
  if (has(sd, "label_emb.weight")) m["num_class"] = size_of(sd, "label_emb.weight", 0);
  const int64_t mid = size_of(sd, "middle_block.0.out_layers.3.weight", 0);
  const int64_t mid_emb = size_of(sd, "middle_block.0.emb_layers.1.weight", 0);
  if (mid > 0 && mid_emb > 0) m["use_scale_shift_norm"] = mid_emb == 2 * mid;  // emb_layers: 2x for scale and shift

  // Output blocks: num_res_blocks + 1 per level, the deepest level first; every level but the
  // top ends with an upsampler.
  std::vector<Block> outs;
  for (int64_t j = 0, n = count_children(sd, "output_blocks."); j < n; ++j)
    outs.push_back(read_block(sd, "output_blocks." + std::to_string(j) + "."));
  int64_t per_level = static_cast<int64_t>(outs.size());
  for (size_t j = 0; j < outs.size(); ++j) {
    if (has_upsample(outs[j])) {
      per_level = static_cast<int64_t>(j) + 1;
      break;
    }
  }
  const int64_t n_out = static_cast<int64_t>(outs.size());
  bool ok = mc > 0 && per_level > 0 && n_out % per_level == 0;
  const int64_t levels = ok ? n_out / per_level : 0;
  for (int64_t j = 0; ok && j < n_out; ++j) {
    const bool ends_level = j % per_level == per_level - 1 && j / per_level != levels - 1;
    ok = !outs[j].layers.empty() && outs[j].layers[0] == Layer::Res && has_upsample(outs[j]) == ends_level;
  }
  if (!ok) {
    r.notes.push_back("the output_blocks do not form create_model's pattern; num_res_blocks, channel_mult, "
                      "attention_resolutions not inferred");
    return r;
  }
  r.levels = levels;
  m["num_res_blocks"] = per_level - 1;
  std::vector<int64_t> widths(levels);
  std::set<int64_t> ds;
  for (int64_t level = 0; level < levels; ++level) {
    const int64_t first = (levels - 1 - level) * per_level;
    widths[level] = outs[first].out;
    for (int64_t j = first; j < first + per_level; ++j)
      if (has_attention(outs[j])) ds.insert(int64_t{1} << level);
  }
  std::string mult;
  if (mult_text(multipliers(widths, mc), image_size, &mult)) {
    m["channel_mult"] = mult;
  } else {
    r.notes.push_back("the level widths " + widths_text(widths) + " are not multiples of num_channels " +
                      std::to_string(mc) + " that channel_mult can give");
  }
  if (image_size > 0) {
    bool exact = true;
    m["attention_resolutions"] = attention_text(ds, image_size, levels, &exact);
    if (!exact) r.notes.push_back("data.image_size " + std::to_string(image_size) + " is not a power of two times the attention levels");
  } else {
    r.not_inferable.push_back("attention_resolutions (needs data.image_size)");
  }
  if (levels > 1) {
    m["resblock_updown"] = upsample_is_resblock(outs[per_level - 1]);
  } else {
    r.not_inferable.push_back("resblock_updown (one level: no resampling layer)");
  }
  r.not_inferable.push_back(kNotHeads);
  return r;
}

InferredConfig infer_adm_dse_config(const StateDict& sd, int64_t image_size) {
  // create_dse → DSE_inference / DSE_train.__init__'s structure, read backwards.
  InferredConfig r;
  const std::string family = checkpoint_family(sd);
  if (family != "ADM DSE" && family != "guided-diffusion classifier") {
    r.notes.push_back(family_note(family, "ADM DSE"));
    return r;
  }
  const std::string head = family == "ADM DSE" ? "I2Iout." : "out.";
  if (family != "ADM DSE") {
    r.notes.push_back("the checkpoint names its head out.* (guided-diffusion's classifier, e.g. 256x256_classifier.pt) "
                      "where the DSE has I2Iout.*: start a DSE from it with egsde train-dse --init");
  }
  nlohmann::json& d = r.settings["dse"];
  const int64_t width = size_of(sd, "time_embed.0.weight", 1);
  if (width > 0) d["classifier_width"] = width;
  const int64_t mid = size_of(sd, "middle_block.0.out_layers.3.weight", 0);
  const int64_t mid_emb = size_of(sd, "middle_block.0.emb_layers.1.weight", 0);
  if (mid > 0 && mid_emb > 0) d["classifier_use_scale_shift_norm"] = mid_emb == 2 * mid;

  // The head: AttentionPool2d (positional_embedding [C, S*S+1], c_proj [num_class, C, 1]) or
  // adaptive pooling then a 1x1 conv [num_class, C, 1, 1].
  int64_t spatial = 0;  // S: the middle block's resolution
  if (has(sd, head + "2.c_proj.weight")) {
    d["classifier_pool"] = "attention";
    d["num_class"] = size_of(sd, head + "2.c_proj.weight", 0);
    const int64_t tokens = size_of(sd, head + "2.positional_embedding", 1);
    const auto s = static_cast<int64_t>(std::lround(std::sqrt(static_cast<double>(std::max<int64_t>(tokens - 1, 0)))));
    if (tokens > 1 && s * s + 1 == tokens) spatial = s;
  } else if (has(sd, head + "3.weight")) {
    d["classifier_pool"] = "adaptive";
    d["num_class"] = size_of(sd, head + "3.weight", 0);
  } else {
    r.not_inferable.push_back("num_class, classifier_pool (no attention or adaptive pooling head in the checkpoint)");
  }

  std::vector<Block> blocks;
  for (int64_t i = 0, n = count_children(sd, "input_blocks."); i < n; ++i)
    blocks.push_back(read_block(sd, "input_blocks." + std::to_string(i) + "."));
  std::vector<int64_t> depths = width > 0 ? consistent_depths(blocks) : std::vector<int64_t>{};
  const int64_t n_in = static_cast<int64_t>(blocks.size());
  // With the attention pool the middle block's resolution S = image_size / 2^(levels-1) picks
  // the depth when the blocks alone allow several.
  if (depths.size() > 1 && spatial > 0 && image_size > 0) {
    std::vector<int64_t> fit;
    for (const auto depth : depths)
      if (spatial << (n_in / (depth + 1) - 1) == image_size) fit.push_back(depth);
    if (!fit.empty()) depths = fit;
  }
  const std::string trunk_keys = "classifier_depth, classifier_channel_mult, classifier_attention_resolutions, classifier_resblock_updown";
  if (depths.empty()) {
    r.notes.push_back("the input_blocks do not form create_dse's pattern; " + trunk_keys + " not inferred");
    return r;
  }
  if (depths.size() > 1) {
    std::string options;
    for (const auto depth : depths)
      options += (options.empty() ? "" : ", ") + std::to_string(depth) + " with " + std::to_string(n_in / (depth + 1)) + " levels";
    r.not_inferable.push_back(trunk_keys + " (the input blocks fit classifier_depth " + options +
                              "; resblock_updown downsamplers look like res blocks)");
    return r;
  }
  const int64_t depth = depths[0];
  const int64_t levels = n_in / (depth + 1);
  r.levels = levels;
  d["classifier_depth"] = depth;
  int64_t size = image_size;
  if (spatial > 0) {
    size = spatial << (levels - 1);
    if (size != image_size) r.settings["data"]["image_size"] = size;
  }
  std::vector<int64_t> widths(levels, size_of(sd, "input_blocks.0.0.weight", 0));
  std::set<int64_t> ds;
  for (int64_t level = 0; level < levels && depth > 0; ++level) {
    const Block& first = blocks[1 + level * (depth + 1)];
    widths[level] = first.out;
    if (has_attention(first)) ds.insert(int64_t{1} << level);
  }
  std::string mult;
  if (mult_text(multipliers(widths, width), size, &mult)) {
    d["classifier_channel_mult"] = mult;
  } else {
    r.notes.push_back("the level widths " + widths_text(widths) + " are not multiples of classifier_width " +
                      std::to_string(width) + " that a channel_mult can give");
  }
  if (depth == 0) {
    r.not_inferable.push_back("classifier_attention_resolutions (classifier_depth 0: no res block can hold attention)");
  } else if (size > 0) {
    bool exact = true;
    d["classifier_attention_resolutions"] = attention_text(ds, size, levels, &exact);
  } else {
    r.not_inferable.push_back("classifier_attention_resolutions (needs data.image_size)");
  }
  if (levels > 1) {
    d["classifier_resblock_updown"] = blocks[depth + 1].layers[0] == Layer::Res;
  } else {
    r.not_inferable.push_back("classifier_resblock_updown (one level: no downsampler)");
  }
  return r;
}

InferredConfig infer_ddpm_config(const StateDict& sd, int64_t image_size) {
  // ddpm.py Model.__init__'s structure, read backwards.
  InferredConfig r;
  const std::string family = checkpoint_family(sd);
  if (family != "DDPM") {
    r.notes.push_back(family_note(family, "DDPM"));
    return r;
  }
  nlohmann::json& m = r.settings["model"];
  const int64_t ch = size_of(sd, "conv_in.weight", 0);
  m["ch"] = ch;
  m["in_channels"] = size_of(sd, "conv_in.weight", 1);
  if (has(sd, "conv_out.weight")) m["out_ch"] = size_of(sd, "conv_out.weight", 0);
  if (has(sd, "logvar")) {
    m["type"] = "bayesian";
    r.settings["diffusion"]["num_diffusion_timesteps"] = size_of(sd, "logvar", 0);
  } else {
    m["type"] = "simple";
  }
  const int64_t levels = count_children(sd, "down.");
  const int64_t blocks = count_children(sd, "down.0.block.");
  if (levels == 0 || blocks == 0 || ch <= 0) {
    r.notes.push_back("no down.N.block.M keys; ch_mult, num_res_blocks, attn_resolutions not inferred");
    return r;
  }
  r.levels = levels;
  m["num_res_blocks"] = blocks;
  std::vector<int64_t> mult;
  bool integral = true;
  nlohmann::json attn = nlohmann::json::array();
  for (int64_t i = 0; i < levels; ++i) {
    const std::string level = "down." + std::to_string(i) + ".";
    const int64_t w = size_of(sd, level + "block.0.conv1.weight", 0);
    integral = integral && w > 0 && w % ch == 0;
    mult.push_back(w / ch);
    // curr_res halves after every level but the last; attention where it is in attn_resolutions.
    if (image_size > 0 && has(sd, level + "attn.0.q.weight")) attn.push_back(image_size >> i);
  }
  if (integral) {
    m["ch_mult"] = mult;
  } else {
    r.notes.push_back("the level widths are not multiples of ch " + std::to_string(ch));
  }
  if (image_size > 0) {
    m["attn_resolutions"] = attn;
  } else {
    r.not_inferable.push_back("attn_resolutions (needs data.image_size)");
  }
  if (levels > 1) {
    m["resamp_with_conv"] = has(sd, "down.0.downsample.conv.weight");
  } else {
    r.not_inferable.push_back("resamp_with_conv (one level: no resampling layer)");
  }
  return r;
}

}  // namespace egsde
