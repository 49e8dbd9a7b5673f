# Pinned metafor values for the LDN review's pooled results under each method profile.
#
# Inputs: validation/metafor/data/ldn_<outcome>_<measure>.csv, written by export_ldn.py
# from the review's own effect sizes (see that file). Output: fixtures/ldn.json.
#   .venv/bin/python validation/metafor/export_ldn.py && Rscript validation/metafor/generate_ldn.R
# Profiles (src/livingmeta/review/profiles.py): revman5 = DL + z (Mantel-Haenszel for
# binary outcomes), metafor = REML + z, cochrane-2025 = REML + knha, mkh = REML + adhoc.
suppressPackageStartupMessages({library(metafor); library(jsonlite)})
stopifnot(as.character(packageVersion("metafor")) == "3.8.1")
CONTROL <- list(threshold = 1e-13, tol = 1e-13, maxiter = 100000, stepadj = 1)
CI_CONTROL <- list(tol = 1e-13, maxiter = 100000, tau2.max = 1e6)
scalar <- function(x) if (is.null(x) || length(x) == 0 || is.na(x)) NULL else unname(x[[1]])
PROFILES <- list(revman5 = c("DL", "z"), metafor = c("REML", "z"),
                 `cochrane-2025` = c("REML", "knha"), mkh = c("REML", "adhoc"))
files <- sort(Sys.glob("validation/metafor/data/ldn_*.csv"))
cases <- list()
for (path in files) {
  name <- sub("^ldn_(.*)\\.csv$", "\\1", basename(path))
  d <- read.csv(path)
  measure <- sub(".*_", "", name)
  outcome <- sub("_[^_]*$", "", name)
  binary <- all(c("ai", "bi", "ci", "di") %in% names(d))
  for (profile in names(PROFILES)) {
    method <- PROFILES[[profile]][1]; test <- PROFILES[[profile]][2]
    if (binary && profile == "revman5") {
      r <- rma.mh(ai = d$ai, bi = d$bi, ci = d$ci, di = d$di, measure = measure)
      call <- sprintf("rma.mh(ai, bi, ci, di, measure='%s', data=read.csv('%s'))", measure, path)
      exp <- list(k = r$k, estimate = scalar(r$beta), se = scalar(r$se),
                  ci_low = scalar(r$ci.lb), ci_high = scalar(r$ci.ub), pval = scalar(r$pval),
                  Q = scalar(r$QE), I2 = scalar(r$I2))
    } else {
      r <- suppressWarnings(rma(yi, vi, data = d, method = method, test = test,
                                control = CONTROL))
      p <- predict(r)
      ci <- if (r$k > 1) confint(r, control = CI_CONTROL)$random else NULL
      call <- sprintf("rma(yi, vi, data=read.csv('%s'), method='%s', test='%s', control=list(threshold=1e-13, tol=1e-13)); predict(res); confint(res, control=list(tol=1e-13, tau2.max=1e6))",
                      path, method, test)
      exp <- list(k = r$k, estimate = scalar(r$beta), se = scalar(r$se),
                  ci_low = scalar(r$ci.lb), ci_high = scalar(r$ci.ub), pval = scalar(r$pval),
                  pi_low = scalar(p$pi.lb), pi_high = scalar(p$pi.ub),
                  tau2 = scalar(r$tau2), I2 = scalar(r$I2), Q = scalar(r$QE),
                  tau2_ci_low = if (is.null(ci)) NULL else scalar(ci[1, 2]),
                  tau2_ci_high = if (is.null(ci)) NULL else scalar(ci[1, 3]))
      # RevMan 5 reports neither a prediction interval nor a CI for tau2: the revman5
      # profile shows none, so they are not pinned for it.
      if (profile == "revman5") exp[c("pi_low", "pi_high", "tau2_ci_low", "tau2_ci_high")] <- NULL
    }
    cases[[length(cases) + 1]] <- list(
      id = sprintf("ldn-%s-%s-%s", outcome, measure, profile), outcome = outcome,
      measure = measure, profile = profile, data_csv = path, r_call = call, expected = exp)
  }
}
out <- list(`_generated` = "by validation/metafor/generate_ldn.R — do not edit",
            r_version = R.version.string,
            metafor_version = as.character(packageVersion("metafor")),
            manifest = lapply(cases, function(c) c$id), cases = cases)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, null = "null", pretty = TRUE),
           "validation/metafor/fixtures/ldn.json")
cat(sprintf("ldn.json: %d cases\n", length(cases)))
