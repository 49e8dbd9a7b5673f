# Regenerates the pinned reference values for permutation tests (metafor's permutest())
# and bootstrap confidence intervals (the boot package, as metafor's documentation
# bootstraps rma()).
#
#   Rscript validation/metafor/generate_permutest.R     (run from the repository root, ~2 min)
#
# Reads   validation/metafor/data/bcg.csv   (written by generate.R; not rewritten here)
# Writes  validation/metafor/fixtures/permutest.json  (cases + manifest of case ids)
#
# Exact permutation p-values are deterministic (ratios of counts over every sign pattern
# or every distinct permutation of the moderators), so livingmeta must reproduce them
# exactly. permutest() refits the model with the control of the fitted model, so the
# tight controls of generate.R apply to every permuted fit.
#
# Known difference, avoided by these cases: metafor's REML/ML fits check the likelihood at
# tau2 = 0 (ll0check) and set tau2 = 0 ("Fisher scoring algorithm may have gotten stuck
# at a local maximum") when it is higher than at the root found; livingmeta's estimators
# have no such check. A permuted design can hit it: yi = (-0.89, -1.59, -1.35, -1.44,
# -0.22, -0.79), vi = (0.33, 0.19, 0.42, 0.02, 0.05, 0.007), mods = ablat-like
# (44, 55, 42, 52, 13, 19), REML: 3 of the 720 permutations differ, and the exact
# p-value of the moderator is 32/720 in metafor, 29/720 in livingmeta. No permuted fit
# of the cases below triggers the check (the exact p-values agree).
#
# Bootstrap intervals rest on random draws that cannot be shared across languages: the
# bootstrap cases pin boot's intervals with many replicates (and the spread of boot's
# replicates), for a comparison within Monte Carlo error.

args_all <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args_all[grep("^--file=", args_all)])
here <- if (length(script)) dirname(normalizePath(script)) else "validation/metafor"
source(file.path(here, "_common.R"))
suppressPackageStartupMessages(library(boot))
BOOT_R <- 5000
BOOT_SEED <- 20240607

csv <- "validation/metafor/data/bcg.csv"

bcg <- read.csv(file.path(data_dir, "bcg.csv"), stringsAsFactors = FALSE,
                colClasses = c(study = "character"))
bcg <- escalc("RR", ai = ai, bi = bi, ci = ci, di = di, data = bcg)
bcg$random <- as.numeric(bcg$alloc == "random")

# Permutation cases: intercept-only (2^10 sign patterns), one continuous moderator
# (7! = 5040 permutations) and one binary moderator (9 choose 6 = 84 distinct
# permutations: tied rows of the design), each under REML and DL, z and knha.
SPECS <- list(
  list(name = "intercept", k = 10, mods = NULL),
  list(name = "ablat", k = 7, mods = "ablat"),
  list(name = "random", k = 9, mods = "random")
)
METHODS <- c("REML", "DL")
TESTS <- c("z", "knha")

cases <- list()
for (spec in SPECS) {
  d <- bcg[seq_len(spec$k), ]
  for (method in METHODS) {
    for (test in TESTS) {
      if (is.null(spec$mods)) {
        res <- rma(yi, vi, data = d, method = method, test = test, control = CTRL)
        mods_text <- ""
        x <- NULL
      } else {
        x <- d[[spec$mods]]
        res <- rma(yi, vi, mods = ~x, data = d, method = method, test = test,
                   control = CTRL)
        mods_text <- sprintf("mods=~%s, ", spec$mods)
      }
      pt <- permutest(res, exact = TRUE, progbar = FALSE)
      cases[[length(cases) + 1]] <- list(
        id = sprintf("permutest-bcg-k%d-%s-%s-%s", spec$k, spec$name, method, test),
        "function" = "permutest", dataset = "bcg", data_csv = csv, measure = "RR",
        method = method, test = test, k = spec$k, moderator = spec$mods,
        r_call = sprintf(paste0("permutest(rma(yi, vi, %sdata=escalc('RR', ai=ai, bi=bi, ",
                                "ci=ci, di=di, data=read.csv('%s')[1:%d, ]), method='%s', ",
                                "test='%s', %s), exact=TRUE)"),
                         mods_text, csv, spec$k, method, test, CTRL_TEXT),
        input = list(study = as.list(d$study), yi = vec(d$yi), vi = vec(d$vi),
                     mods = if (is.null(x)) NULL else vec(x)),
        expected = list(
          exact_count = pt$exact.iter, permutations = length(pt$QM.perm),
          failed = sum(is.na(pt$QM.perm)),
          estimate = vec(res$beta), se = vec(res$se), statistic = vec(res$zval),
          model_pval = vec(res$pval), pval = vec(pt$pval), QM = res$QM,
          QM_df = res$QMdf[1], model_QM_pval = res$QMp, QM_pval = pt$QMp))
    }
  }
}

# Bootstrap cases (all 13 studies of dat.bcg, REML), as metafor's documentation does it:
# nonparametric (resampling studies) and parametric (yi drawn from N(mu, vi + tau2)).
d <- bcg
fit <- rma(yi, vi, data = d, method = "REML", control = CTRL)
stat_of <- function(dd) {
  r <- try(suppressWarnings(rma(yi, vi, data = dd, method = "REML", control = CTRL)),
           silent = TRUE)
  if (inherits(r, "try-error")) return(c(NA, NA, NA))
  c(as.numeric(coef(r)), r$tau2, r$I2)
}
boot_cases <- list()
for (kind in c("nonparametric", "parametric")) {
  set.seed(BOOT_SEED)
  if (kind == "nonparametric") {
    b <- boot(d, function(dd, idx) stat_of(dd[idx, ]), R = BOOT_R)
    types <- c("perc", "bca")
  } else {
    gen <- function(dd, mle) {
      data.frame(yi = rnorm(nrow(dd), mle$mu, sqrt(mle$tau2 + dd$vi)), vi = dd$vi)
    }
    b <- boot(d, function(dd) stat_of(dd), R = BOOT_R, sim = "parametric", ran.gen = gen,
              mle = list(mu = as.numeric(coef(fit)), tau2 = fit$tau2))
    types <- c("perc")
  }
  ok <- stats::complete.cases(b$t)
  expected <- list()
  for (i in 1:3) {
    q <- c("estimate", "tau2", "I2")[i]
    entry <- list(observed = b$t0[i], mean = mean(b$t[ok, i]), sd = sd(b$t[ok, i]))
    for (type in types) {
      if (type == "bca") {
        # The acceleration from the jackknife (Efron & Tibshirani 1993, eq. 14.15), as
        # livingmeta and scipy compute it; boot's default estimates the influence values
        # by regression on the replicates instead (a random quantity). boot's jackknife
        # values (n - 1)(t - t_(-i)) are centred at t; E&T centre them at the mean of the
        # t_(-i), i.e. subtract their mean.
        L <- empinf(b, index = i, type = "jack")
        L <- L - mean(L)
        entry$acceleration <- sum(L^3) / (6 * sum(L^2)^1.5)
        ci <- boot.ci(b, conf = 0.95, type = type, index = i, L = L)
      } else {
        ci <- boot.ci(b, conf = 0.95, type = type, index = i)
      }
      bounds <- ci[[if (type == "perc") "percent" else "bca"]]
      entry[[type]] <- c(bounds[4], bounds[5])
    }
    expected[[q]] <- entry
  }
  boot_cases[[length(boot_cases) + 1]] <- list(
    id = sprintf("boot-bcg-REML-%s", kind), "function" = "boot", dataset = "bcg",
    data_csv = csv, measure = "RR", method = "REML", kind = kind, replicates = BOOT_R,
    used = sum(ok), level = 0.95,
    r_call = sprintf("boot(dat, <rma(yi, vi, method='REML', %s) -> c(mu, tau2, I2)>, R=%d%s); boot.ci(..., type=c(%s)%s)",
                     CTRL_TEXT, BOOT_R,
                     if (kind == "parametric") ", sim='parametric', ran.gen=N(mu, vi + tau2)" else "",
                     paste(sprintf("'%s'", types), collapse = ", "),
                     if (kind == "nonparametric") ", L=<centred jackknife values> for bca" else ""),
    input = list(study = as.list(d$study), yi = vec(d$yi), vi = vec(d$vi)),
    expected = expected)
}

ids <- c(sapply(cases, function(x) x$id), sapply(boot_cases, function(x) x$id))
stopifnot(!anyDuplicated(ids))
out <- list(
  `_generated` = "by validation/metafor/generate_permutest.R — do not edit",
  kind = "permutest",
  r_version = R.version.string,
  metafor_version = as.character(packageVersion("metafor")),
  boot_version = as.character(packageVersion("boot")),
  jsonlite_version = as.character(packageVersion("jsonlite")),
  date = format(Sys.Date()),
  control = CTRL,
  manifest = list(case_ids = as.list(ids), methods = as.list(METHODS),
                  tests = as.list(TESTS),
                  designs = lapply(SPECS, function(s) list(name = s$name, k = s$k))),
  cases = cases,
  bootstrap = boot_cases)
write_json_file(out, "permutest.json", pretty = FALSE)
cat(sprintf("permutest.json: %d permutest cases, %d bootstrap cases\n", length(cases),
            length(boot_cases)))
