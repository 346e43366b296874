// L2, MSE, PSNR, SSIM (and MS-SSIM) against the official evaluation. Expected values in
// metrics/pairwise.json come from scripts/fixtures/make_metric_fixtures.py running the official
// tool/eval_score.calculate_l2_given_paths and tool/mse_psnr_ssim_mssim.calculate_{mse,psnr,ssim,
// msssim} (and the per-image mse/psnr/ssim/ms_ssim functions) on metrics/images/{translated,source}.
#include <gtest/gtest.h>

#include "common/test_util.h"
#include "core/json_io.h"
#include "metrics/pairwise.h"

using namespace egsde;
using namespace egsde::metrics;

namespace {

class MetricsPairwiseParity : public ::testing::Test {
 protected:
  void SetUp() override {
    ref = read_json_file(test::fixture("metrics/pairwise.json"));
    const auto pairing = pair_images(test::fixture("metrics/images/translated"), test::fixture("metrics/images/source"));
    PairwiseOptions opt;
    opt.ms_ssim = true;
    result = pairwise_metrics(pairing, opt);
  }
  nlohmann::json ref;
  PairwiseResult result;
};

TEST_F(MetricsPairwiseParity, MeansMatchOfficial) {
  const std::pair<const char*, double> got[] = {{"l2", result.mean.l2},     {"mse", result.mean.mse},
                                                {"psnr", result.mean.psnr}, {"ssim", result.mean.ssim},
                                                {"ms_ssim", result.mean.ms_ssim}};
  for (const auto& [key, value] : got) {
    const double err = test::rel_diff(value, ref[key].get<double>());
    test::record(std::string("rel_error_") + key, err);
    EXPECT_LT(err, 1e-4) << key << ": " << value << " vs official " << ref[key];
  }
  EXPECT_TRUE(result.warnings.empty());
}

TEST_F(MetricsPairwiseParity, PerImageMatchesOfficial) {
  const auto& per = ref["per_image"];
  ASSERT_EQ(result.per_image.size(), per["names"].size());
  double worst = 0;
  for (size_t i = 0; i < result.per_image.size(); ++i) {
    const auto& row = result.per_image[i];
    EXPECT_EQ(row.translated.filename().string(), per["names"][i].get<std::string>());
    const std::pair<const char*, double> got[] = {{"l2", row.scores.l2},     {"mse", row.scores.mse},
                                                  {"psnr", row.scores.psnr}, {"ssim", row.scores.ssim},
                                                  {"ms_ssim", row.scores.ms_ssim}};
    for (const auto& [key, value] : got) {
      const double err = test::rel_diff(value, per[key][i].get<double>());
      worst = std::max(worst, err);
      EXPECT_LT(err, 1e-4) << key << " of " << row.translated.filename();
    }
  }
  test::record("rel_error_worst_per_image", worst);
}

}  // namespace
