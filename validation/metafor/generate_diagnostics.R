# Regenerates the pinned metafor reference values for the diagnostics: influence(),
# baujat(), cumul(), regtest(), ranktest() and trimfill().
#
#   Rscript validation/metafor/generate_diagnostics.R     (run from the repository root)
#
# Reads   validation/metafor/data/<name>.csv   (written by generate.R; not rewritten here)
# Writes  validation/metafor/fixtures/diagnostics.json  (cases + manifest of case ids)
#
# The tight controls of generate.R are used for every model fit (README.md explains why
# metafor's defaults are not a usable reference at 1e-6).

args_all <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args_all[grep("^--file=", args_all)])
here <- if (length(script)) dirname(normalizePath(script)) else "validation/metafor"
source(file.path(here, "_common.R"))
ZERO_TAU2 <- 1e-10    # metafor's tau2 at or below this counts as "estimated at zero"

# metafor 3.8.1's trimfill() refits with rma.uni()'s default control unless 'control' is
# passed to trimfill() itself (through '...'), and regtest() on a vector disregards
# 'control': so trimfill() gets control=CTRL and regtest() is called on a fitted model,
# whose control it reuses. Without this the REML cases move by up to 1e-3 (relative).

quietly <- function(expr) {
  warns <- character()
  value <- withCallingHandlers(expr, warning = function(w) {
    warns <<- c(warns, conditionMessage(w))
    invokeRestart("muffleWarning")
  })
  list(value = value, warnings = as.list(unique(gsub("\\s+", " ", warns))))
}
csv_path <- function(name) paste0("validation/metafor/data/", name, ".csv")
year_from_label <- function(study) as.numeric(sub(".* ", "", study))

# ---------------------------------------------------------------------------------------
# Data sets (the CSVs generate.R wrote), effect sizes as in generate.R
# ---------------------------------------------------------------------------------------
SPECS <- list(
  list(data = "bcg", measure = "RR", cols = c("ai", "bi", "ci", "di"),
       order = function(d) d$year, order_source = "year column"),
  list(data = "normand1999", measure = "SMD",
       cols = c("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"),
       order = NULL, order_source = "input order (no year)"),
  list(data = "hackshaw1998", measure = "GEN", cols = NULL,
       order = function(d) year_from_label(d$study), order_source = "year in the study label"),
  list(data = "molloy2014", measure = "ZCOR", cols = c("ri", "ni"),
       order = function(d) year_from_label(d$study), order_source = "year in the study label")
)
r_cols <- function(cols) paste(sprintf("%s=%s", cols, cols), collapse = ", ")

load_spec <- function(spec) {
  d <- read.csv(file.path(data_dir, paste0(spec$data, ".csv")), stringsAsFactors = FALSE,
                colClasses = c(study = "character"))
  if (spec$measure == "GEN") {
    yi <- d$yi; vi <- d$vi
    r_data <- sprintf("read.csv('%s')", csv_path(spec$data))
  } else {
    args <- c(list(measure = spec$measure),
              lapply(setNames(spec$cols, spec$cols), function(cc) d[[cc]]))
    es <- do.call(escalc, args)
    yi <- as.numeric(es$yi); vi <- as.numeric(es$vi)
    r_data <- sprintf("escalc('%s', %s, data=read.csv('%s'))", spec$measure,
                      r_cols(spec$cols), csv_path(spec$data))
  }
  list(d = d, yi = yi, vi = vi, r_data = r_data,
       order = if (is.null(spec$order)) NULL else spec$order(d))
}

fit <- function(yi, vi, method, test = "z", ...) {
  rma(yi = yi, vi = vi, method = method, test = test, control = CTRL, ...)
}
base_case <- function(cid, fun, spec, L, r_call, extra = list()) {
  c(list(id = cid, "function" = fun, dataset = spec$data, data_csv = csv_path(spec$data),
         measure = spec$measure, r_call = r_call,
         input = list(study = as.list(L$d$study), yi = vec(L$yi), vi = vec(L$vi))), extra)
}
zero_tau2 <- function(res) !(res$method %in% c("EE", "FE")) && res$tau2 <= ZERO_TAU2

cases <- list()
add_case <- function(x) cases[[length(cases) + 1]] <<- x

INFLUENCE_FITS <- list(c("REML", "z"), c("DL", "z"))
CUMUL_FITS <- list(c("REML", "z"))
TRIMFILL_ESTIMATORS <- c("L0", "R0", "Q0")
TRIMFILL_METHODS <- c("REML", "EE")
REGTEST_MODELS <- c("rma", "lm")

for (spec in SPECS) {
  L <- load_spec(spec)
  k <- length(L$yi)
  fits <- INFLUENCE_FITS
  if (spec$data == "bcg") fits <- c(fits, list(c("REML", "knha"), c("EE", "z")))
  # --- influence.rma.uni -------------------------------------------------------------
  for (mt in fits) {
    res <- fit(L$yi, L$vi, mt[1], mt[2])
    inf <- quietly(influence(res))
    I <- inf$value$inf
    add_case(base_case(
      sprintf("influence-%s-%s-%s-%s", spec$data, spec$measure, mt[1], mt[2]), "influence",
      spec, L,
      sprintf("influence(rma(yi, vi, data=%s, method='%s', test='%s', %s))", L$r_data, mt[1],
              mt[2], CTRL_TEXT),
      list(method = mt[1], test = mt[2], level = 0.95,
           expected = list(rstudent = vec(I$rstudent), dffits = vec(I$dffits),
                           cook_d = vec(I$cook.d), cov_r = vec(I$cov.r),
                           tau2_del = vec(if (is.null(I$tau2.del)) rep(0, k) else I$tau2.del),
                           QE_del = vec(I$QE.del), hat = vec(I$hat), weight = vec(I$weight),
                           dfbetas = vec(inf$value$dfbs[[1]]),
                           inf = as.list(I$inf == "*")),
           expect_warnings = as.list(if (zero_tau2(res)) "ZeroTau2Warning" else character()),
           r_warnings = inf$warnings)))
  }
  # --- baujat -------------------------------------------------------------------------
  for (method in if (spec$data == "bcg") c("EE", "REML") else "EE") {
    res <- fit(L$yi, L$vi, method)
    pdf(NULL)
    b <- quietly(baujat(res))
    invisible(dev.off())
    add_case(base_case(
      sprintf("baujat-%s-%s-%s", spec$data, spec$measure, method), "baujat", spec, L,
      sprintf("baujat(rma(yi, vi, data=%s, method='%s', %s))", L$r_data, method, CTRL_TEXT),
      list(method = method, expected = list(x = vec(b$value$x), y = vec(b$value$y)),
           expect_warnings = as.list(if (zero_tau2(res)) "ZeroTau2Warning" else character()),
           r_warnings = b$warnings)))
  }
  # --- cumul --------------------------------------------------------------------------
  for (mt in CUMUL_FITS) {
    res <- fit(L$yi, L$vi, mt[1], mt[2])
    cu <- if (is.null(L$order)) quietly(cumul(res)) else quietly(cumul(res, order = L$order))
    cv <- cu$value
    ord <- if (is.null(L$order)) seq_len(k) else order(L$order)
    stat <- if (!is.null(cv$zval)) cv$zval else cv$tval
    tau2 <- if (is.null(cv$tau2)) rep(0, k) else cv$tau2
    step_zero <- !(mt[1] %in% c("EE", "FE")) & seq_len(k) > 1 & tau2 <= ZERO_TAU2
    add_case(base_case(
      sprintf("cumul-%s-%s-%s-%s", spec$data, spec$measure, mt[1], mt[2]), "cumul", spec, L,
      sprintf("cumul(rma(yi, vi, data=%s, method='%s', test='%s', %s)%s)  # order: %s",
              L$r_data, mt[1], mt[2], CTRL_TEXT,
              if (is.null(L$order)) "" else ", order=year", spec$order_source),
      list(method = mt[1], test = mt[2], level = 0.95,
           order = if (is.null(L$order)) NULL else vec(L$order),
           order_source = spec$order_source,
           expected = list(study = as.list(L$d$study[ord]), estimate = vec(cv$estimate),
                           se = vec(cv$se), statistic = vec(stat), pval = vec(cv$pvals),
                           ci_low = vec(cv$ci.lb), ci_high = vec(cv$ci.ub), Q = vec(cv$Q),
                           Q_pval = vec(cv$Qp), tau2 = vec(tau2), I2 = vec(cv$I2),
                           H2 = vec(cv$H2)),
           expect_warnings = as.list(c("SingleStudyWarning",
                                       if (any(step_zero)) "ZeroTau2Warning")),
           r_warnings = cu$warnings)))
  }
  # --- regtest ------------------------------------------------------------------------
  for (model in REGTEST_MODELS) {
    rg <- quietly(regtest(fit(L$yi, L$vi, "REML"), model = model, predictor = "sei",
                          ret.fit = TRUE))
    r <- rg$value
    ztau <- model == "rma" && r$fit$tau2 <= ZERO_TAU2
    add_case(base_case(
      sprintf("regtest-%s-%s-%s-sei", spec$data, spec$measure, model), "regtest", spec, L,
      sprintf("regtest(rma(yi, vi, data=%s, method='REML', %s), model='%s', predictor='sei')",
              L$r_data, CTRL_TEXT, model),
      list(model = model, predictor = "sei", method = "REML", test = "z",
           expected = list(statistic = scalar(r$zval), pval = scalar(r$pval),
                           df = scalar(r$dfs), limit_estimate = scalar(r$est),
                           limit_ci_low = scalar(r$ci.lb), limit_ci_high = scalar(r$ci.ub),
                           tau2 = if (model == "rma") scalar(r$fit$tau2) else NULL),
           expect_warnings = as.list(if (ztau) "ZeroTau2Warning" else character()),
           r_warnings = rg$warnings)))
  }
  # --- ranktest -----------------------------------------------------------------------
  rk <- quietly(ranktest(L$yi, L$vi))
  add_case(base_case(
    sprintf("ranktest-%s-%s", spec$data, spec$measure), "ranktest", spec, L,
    sprintf("ranktest(yi, vi, data=%s)", L$r_data),
    list(expected = list(tau = scalar(rk$value$tau), pval = scalar(rk$value$pval),
                         exact = length(unique(L$vi)) == k && k < 50),
         expect_warnings = list(), r_warnings = rk$warnings)))
  # --- trimfill -----------------------------------------------------------------------
  for (method in TRIMFILL_METHODS) for (est in TRIMFILL_ESTIMATORS) {
    res <- fit(L$yi, L$vi, method)
    tf <- quietly(trimfill(res, estimator = est, control = CTRL))
    t <- tf$value
    add_case(base_case(
      sprintf("trimfill-%s-%s-%s-%s", spec$data, spec$measure, method, est), "trimfill",
      spec, L,
      sprintf("trimfill(rma(yi, vi, data=%s, method='%s', %s), estimator='%s', %s)",
              L$r_data, method, CTRL_TEXT, est, CTRL_TEXT),
      list(method = method, estimator = est,
           expected = list(k0 = t$k0, side = t$side, se_k0 = scalar(t$se.k0),
                           p_k0 = scalar(t$p.k0),
                           filled_yi = vec(t$yi[t$fill]), filled_vi = vec(t$vi[t$fill]),
                           k = t$k, estimate = scalar(t$beta), se = scalar(t$se),
                           statistic = scalar(t$zval), pval = scalar(t$pval),
                           ci_low = scalar(t$ci.lb), ci_high = scalar(t$ci.ub),
                           tau2 = scalar(t$tau2), Q = scalar(t$QE), Q_pval = scalar(t$QEp)),
           expect_warnings = as.list(if (zero_tau2(t)) "ZeroTau2Warning" else character()),
           r_warnings = tf$warnings)))
  }
}

ids <- sapply(cases, function(x) x$id)
stopifnot(!anyDuplicated(ids))
out <- c(fixture_header("generate_diagnostics.R", "diagnostics"), list(
  manifest = list(
    case_ids = as.list(ids),
    functions = list("influence", "baujat", "cumul", "regtest", "ranktest", "trimfill"),
    datasets = lapply(SPECS, function(s) list(dataset = s$data, measure = s$measure)),
    trimfill_estimators = as.list(TRIMFILL_ESTIMATORS),
    trimfill_methods = as.list(TRIMFILL_METHODS),
    regtest_models = as.list(REGTEST_MODELS)),
  cases = cases))
write_json_file(out, "diagnostics.json")
cat(sprintf("diagnostics.json: %d cases\n", length(ids)))
