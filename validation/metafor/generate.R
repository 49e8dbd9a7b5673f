# Regenerates the pinned metafor reference values used by tests/reference/.
#
#   Rscript validation/metafor/generate.R            (run from the repository root)
#
# Writes validation/metafor/data/<name>.csv   (inputs, metafor's column names)
#        validation/metafor/fixtures/*.json   (expected values, full precision)
#        validation/metafor/fixtures/manifest.json  (every case id this script promises)
#
# Every fit reads its data back from the CSV it just wrote, so the committed CSV is
# exactly what metafor saw.  See README.md for the control settings and known differences.
# Optional: LIVINGMETA_THRESHOLD / LIVINGMETA_TOL override the tight controls (used for
# the stability check described in README.md; never commit fixtures made that way).

args_all <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args_all[grep("^--file=", args_all)])
here <- if (length(script)) dirname(normalizePath(script)) else "validation/metafor"
source(file.path(here, "_common.R"))  # packages, out_dir, data_dir, THRESHOLD, TOL, ...
dir.create(data_dir, showWarnings = FALSE, recursive = TRUE)

# ---------------------------------------------------------------------------------------
# Control settings (metafor 3.8.1, rma.uni):
#   threshold  convergence of Fisher scoring for ML / REML / EB (|change in tau2|)
#   tol        uniroot() tolerance for PM (and the ll0check comparison for ML/REML)
#   maxiter    Fisher scoring iterations and uniroot() iterations
#   stepadj    Fisher scoring step length (retried at 0.5 if 1 fails to converge)
# confint.rma.uni (Q-profile) honours tol and maxiter (uniroot on the generalised Q).
# HE, HS, SJ, DL are closed form and use none of these.
# ---------------------------------------------------------------------------------------
ctrl <- function(stepadj = 1) {
  list(threshold = THRESHOLD, tol = TOL, maxiter = MAXITER, stepadj = stepadj)
}
CI_CONTROL <- list(tol = TOL, maxiter = MAXITER)

METHODS <- c("EE", "DL", "HE", "HS", "SJ", "ML", "REML", "EB", "PM")
TESTS <- c("z", "knha", "adhoc")
ZERO_TAU2 <- 1e-10    # metafor's tau2 at or below this counts as "estimated at zero"

header <- function(kind) {
  fixture_header("generate.R", kind,
                 control = list(threshold = THRESHOLD, tol = TOL, maxiter = MAXITER,
                                stepadj = "1 (0.5 on non-convergence; recorded per case)",
                                confint = CI_CONTROL))
}

# Capture warnings (recorded in the fixture as r_warnings) without stopping.
quietly <- function(expr) {
  warns <- character()
  value <- withCallingHandlers(expr, warning = function(w) {
    warns <<- c(warns, conditionMessage(w))
    invokeRestart("muffleWarning")
  })
  list(value = value, warnings = unique(gsub("\\s+", " ", warns)))
}

# ---------------------------------------------------------------------------------------
# Data sets: written as CSV with metafor's column names, then read back.
# ---------------------------------------------------------------------------------------
DATASETS <- list()
DATA_SOURCES <- list()
add_data <- function(name, df, source) {
  path <- file.path(data_dir, paste0(name, ".csv"))
  write.csv(df, path, row.names = FALSE, na = "")
  back <- read.csv(path, stringsAsFactors = FALSE, colClasses = c(study = "character"))
  DATASETS[[name]] <<- back
  DATA_SOURCES[[name]] <<- source
  invisible(back)
}
csv_path <- function(name) paste0("validation/metafor/data/", name, ".csv")

bcg <- dat.bcg
add_data("bcg", data.frame(study = paste(bcg$author, bcg$year), ai = bcg$tpos, bi = bcg$tneg,
                           ci = bcg$cpos, di = bcg$cneg, ablat = bcg$ablat, year = bcg$year,
                           alloc = bcg$alloc),
         "metadat::dat.bcg (Colditz et al. 1994); ai=tpos bi=tneg ci=cpos di=cneg")
n99 <- dat.normand1999
add_data("normand1999", data.frame(study = n99$source, m1i = n99$m1i, sd1i = n99$sd1i,
                                   n1i = n99$n1i, m2i = n99$m2i, sd2i = n99$sd2i,
                                   n2i = n99$n2i),
         "metadat::dat.normand1999 (Normand 1999)")
hk <- dat.hackshaw1998
add_data("hackshaw1998", data.frame(study = paste(hk$author, hk$year), yi = hk$yi, vi = hk$vi,
                                    design = hk$design, country = hk$country),
         "metadat::dat.hackshaw1998 (log odds ratios as given)")
ml <- dat.molloy2014
add_data("molloy2014", data.frame(study = paste(ml$authors, ml$year), ri = ml$ri, ni = ml$ni,
                                  design = ml$design),
         "metadat::dat.molloy2014 (Molloy et al. 2014)")
rd <- dat.raudenbush1985
add_data("raudenbush1985", data.frame(study = paste(rd$author, rd$year), yi = rd$yi,
                                      vi = rd$vi, weeks = rd$weeks),
         "metadat::dat.raudenbush1985 (standardized mean differences as given)")
yu <- dat.yusuf1985[dat.yusuf1985$table == "6", ]
yu <- yu[!is.na(yu$ai) & !is.na(yu$ci), ]    # 'Snow 1' has no counts in metadat
add_data("yusuf1985_t6", data.frame(study = yu$trial, ai = yu$ai, bi = yu$n1i - yu$ai,
                                    ci = yu$ci, di = yu$n2i - yu$ci),
         "metadat::dat.yusuf1985, table 6 (bi = n1i - ai, di = n2i - ci); 'Snow 1' (no counts) removed; three double-zero trials")
ha <- dat.hart1999
add_data("hart1999", data.frame(study = ha$study, x1i = ha$x1i, t1i = ha$t1i, x2i = ha$x2i,
                                t2i = ha$t2i, compgrp = ha$compgrp),
         "metadat::dat.hart1999 (Hart et al. 1999)")
li <- dat.li2007
add_data("li2007", data.frame(study = paste(li$study, li$year), ai = li$ai, bi = li$n1i - li$ai,
                              ci = li$ci, di = li$n2i - li$ci),
         "metadat::dat.li2007 (bi = n1i - ai, di = n2i - ci)")
kp <- dat.konstantopoulos2011
add_data("konstantopoulos2011", data.frame(study = paste(kp$district, kp$school, sep = "."),
                                           yi = kp$yi, vi = kp$vi, district = kp$district),
         "metadat::dat.konstantopoulos2011 (treated as independent studies)")
nw <- dat.nielweise2007
add_data("nielweise2007", data.frame(study = paste(nw$author, nw$year), ai = nw$ai,
                                     bi = nw$n1i - nw$ai, ci = nw$ci, di = nw$n2i - nw$ci),
         "metadat::dat.nielweise2007 (bi = n1i - ai, di = n2i - ci); contains zero cells")
add_data("zeros", data.frame(study = c("S1", "S2", "S3", "S4 (double zero)", "S5", "S6"),
                             ai = c(3, 0, 5, 0, 12, 1), bi = c(47, 40, 95, 30, 88, 59),
                             ci = c(8, 4, 9, 0, 15, 0), di = c(42, 36, 91, 30, 85, 60)),
         "synthetic: single-zero studies (S2, S6) and a double-zero study (S4)")
# Paired (pre/post) data: treatment group of Morris (2008), as used on metafor-project.org
# (analyses:morris2008); m1i/sd1i = post-test, m2i/sd2i = pre-test, ri = pre-post correlation.
add_data("paired", data.frame(study = paste0("Study ", 1:5),
                              m1i = c(38.5, 26.8, 0.7, 75.9, 36.0),
                              m2i = c(30.6, 23.5, 0.5, 53.4, 35.6),
                              sd1i = c(11.6, 4.1, 0.1, 4.4, 4.6),
                              sd2i = c(15.0, 3.1, 0.1, 14.5, 4.7),
                              ni = c(20, 50, 9, 10, 14),
                              ri = c(0.47, 0.64, 0.77, 0.89, 0.44)),
         "paired pre/post data (Morris 2008, treatment group, via metafor-project.org)")
bcg_full <- DATASETS$bcg
for (kk in 1:3) add_data(paste0("bcg_k", kk), bcg_full[seq_len(kk), ],
                         paste0("first ", kk, " row(s) of dat.bcg"))
add_data("homogeneous", data.frame(study = paste0("H", 1:6),
                                   yi = c(0.10, 0.12, 0.08, 0.11, 0.09, 0.10),
                                   vi = c(0.010, 0.020, 0.015, 0.030, 0.012, 0.020)),
         "synthetic homogeneous set (Q < k - 1, so tau2 is estimated at zero)")
add_data("equal_vi", data.frame(study = paste0("E", 1:8),
                                yi = c(-0.20, 0.35, 0.10, 0.62, -0.05, 0.41, 0.18, 0.90),
                                vi = rep(0.04, 8)),
         "synthetic set with all vi equal (DL, HE, HS, ML, REML, EB, PM coincide or nearly)")
set.seed(20240611)
k_large <- 1000
vi_large <- round(runif(k_large, 0.01, 0.25), 6)
yi_large <- round(rnorm(k_large, 0.3, sqrt(0.05 + vi_large)), 6)
add_data("large_k1000", data.frame(study = sprintf("L%04d", 1:k_large), yi = yi_large,
                                   vi = vi_large),
         "synthetic, set.seed(20240611): vi ~ U(0.01, 0.25), yi ~ N(0.3, 0.05 + vi), rounded to 6 dp")

col_list <- function(d, cols) {
  out <- list()
  for (cc in cols) out[[cc]] <- if (is.numeric(d[[cc]])) vec(d[[cc]]) else as.list(d[[cc]])
  out
}

# ---------------------------------------------------------------------------------------
# 1. escalc
# ---------------------------------------------------------------------------------------
ESCALC_SPECS <- list(
  list(data = "normand1999", measures = c("MD", "SMD", "SMDH", "ROM"),
       cols = c("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i")),
  list(data = "paired", measures = c("MC", "SMCC", "SMCR"),
       cols = c("m1i", "m2i", "sd1i", "sd2i", "ni", "ri")),
  list(data = "bcg", measures = c("OR", "RR", "RD", "PETO"), cols = c("ai", "bi", "ci", "di")),
  list(data = "yusuf1985_t6", measures = c("OR", "PETO"), cols = c("ai", "bi", "ci", "di")),
  list(data = "nielweise2007", measures = c("OR", "RR", "RD", "PETO"),
       cols = c("ai", "bi", "ci", "di")),
  list(data = "zeros", measures = c("OR", "RR", "RD", "PETO"), cols = c("ai", "bi", "ci", "di"),
       drop00 = c(FALSE, TRUE)),
  list(data = "hart1999", measures = c("IRR", "IRD"), cols = c("x1i", "t1i", "x2i", "t2i")),
  list(data = "molloy2014", measures = c("COR", "ZCOR"), cols = c("ri", "ni"))
)
r_cols <- function(cols) paste(sprintf("%s=%s", cols, cols), collapse = ", ")
has_zero_cells <- function(d, cols) {
  bin <- intersect(cols, c("ai", "bi", "ci", "di", "x1i", "x2i"))
  length(bin) > 0 && any(as.matrix(d[, bin]) == 0)
}

escalc_cases <- list()
for (spec in ESCALC_SPECS) {
  d <- DATASETS[[spec$data]]
  drops <- if (is.null(spec$drop00)) FALSE else spec$drop00
  for (m in spec$measures) for (drop in drops) {
    cid <- paste0("escalc-", spec$data, "-", m, if (length(drops) > 1) paste0("-drop00_", tolower(drop)) else "")
    args <- c(list(measure = m, add = 0.5, to = "only0", drop00 = drop),
              lapply(setNames(spec$cols, spec$cols), function(cc) d[[cc]]))
    es <- quietly(do.call(escalc, args))
    zero <- has_zero_cells(d, spec$cols)
    escalc_cases[[length(escalc_cases) + 1]] <- list(
      id = cid, dataset = spec$data, data_csv = csv_path(spec$data), measure = m,
      options = list(add = 0.5, to = "only0", drop00 = drop),
      r_call = sprintf("escalc('%s', %s, data=read.csv('%s'), add=0.5, to='only0', drop00=%s)",
                       m, r_cols(spec$cols), csv_path(spec$data), drop),
      study = as.list(d$study), inputs = col_list(d, spec$cols),
      expected = list(yi = vec(es$value$yi), vi = vec(es$value$vi)),
      expect_warning = if (zero) "ZeroCellWarning" else NULL,
      r_warnings = es$warnings)
  }
}

# ---------------------------------------------------------------------------------------
# 2. rma.uni: estimates, heterogeneity, Q-profile CIs, weights
# ---------------------------------------------------------------------------------------
fit_rma <- function(yi, vi, method, test, level = 95, mods = NULL) {
  fit <- function(stepadj) {
    if (is.null(mods)) {
      rma(yi = yi, vi = vi, method = method, test = test, level = level, control = ctrl(stepadj))
    } else {
      rma(yi = yi, vi = vi, mods = mods, method = method, test = test, level = level,
          control = ctrl(stepadj))
    }
  }
  out <- tryCatch(list(res = quietly(fit(1)), stepadj = 1),
                  error = function(e) list(res = quietly(fit(0.5)), stepadj = 0.5))
  list(fit = out$res$value, warnings = out$res$warnings, stepadj = out$stepadj)
}

tau2_ci <- function(res) {
  if (res$method %in% c("EE", "FE") || res$k < 2) return(NULL)
  # confint() searches tau2 in [0, tau2.max] (default max(100, 10 tau2)) and reports a
  # bound that hits tau2.max as ">" tau2.max; widen until the bound is a real root.
  tau2_max <- max(100, 10 * res$tau2)
  repeat {
    ci <- quietly(confint(res, control = c(CI_CONTROL, list(tau2.max = tau2_max))))
    if (ci$value$ub.sign != ">" && ci$value$lb.sign != ">") break
    tau2_max <- tau2_max * 100
  }
  rnd <- ci$value$random
  # What confint() reports with its default search limit, when that limit was hit.
  dflt <- quietly(confint(res, control = CI_CONTROL))$value
  default_search <- if (dflt$ub.sign == ">" || dflt$lb.sign == ">") {
    list(tau2_ci = vec(dflt$random["tau^2", c("ci.lb", "ci.ub")]),
         lb_sign = dflt$lb.sign, ub_sign = dflt$ub.sign,
         tau2_max = max(100, 10 * res$tau2))
  } else NULL
  list(default_search = default_search,
       tau2 = vec(rnd["tau^2", c("ci.lb", "ci.ub")]),
       I2 = vec(rnd["I^2(%)", c("ci.lb", "ci.ub")]),
       H2 = vec(rnd["H^2", c("ci.lb", "ci.ub")]),
       warnings = ci$warnings)
}

expected_rma <- function(res) {
  pr <- predict(res)
  ci <- tau2_ci(res)
  ee <- res$method %in% c("EE", "FE")
  list(
    k = res$k, estimate = scalar(res$beta), se = scalar(res$se), statistic = scalar(res$zval),
    pval = scalar(res$pval), ci_low = scalar(res$ci.lb), ci_high = scalar(res$ci.ub),
    pi_low = if (ee) NULL else scalar(pr$pi.lb), pi_high = if (ee) NULL else scalar(pr$pi.ub),
    tau2 = scalar(res$tau2), tau2_ci = if (is.null(ci)) NULL else ci$tau2,
    I2 = scalar(res$I2), I2_ci = if (is.null(ci)) NULL else ci$I2,
    H2 = scalar(res$H2), H2_ci = if (is.null(ci)) NULL else ci$H2,
    Q = scalar(res$QE), Q_df = res$k - res$p, Q_pval = scalar(res$QEp),
    df = if (res$test %in% c("knha", "adhoc")) scalar(res$ddf) else NULL,
    weights = vec(weights(res)),
    tau2_ci_warnings = if (is.null(ci)) list() else as.list(ci$warnings),
    tau2_ci_default_search = if (is.null(ci)) NULL else ci$default_search
  )
}

rma_warning <- function(res) {
  if (res$k == 1) return("SingleStudyWarning")
  if (!(res$method %in% c("EE", "FE")) && res$tau2 <= ZERO_TAU2) return("ZeroTau2Warning")
  NULL
}

# Each rma data set: name, measure (GEN when yi/vi are given), escalc columns.
RMA_SPECS <- list(
  list(data = "bcg", measure = "RR", cols = c("ai", "bi", "ci", "di")),
  list(data = "normand1999", measure = "SMD", cols = c("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i")),
  list(data = "normand1999", measure = "MD", cols = c("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i")),
  list(data = "hackshaw1998", measure = "GEN", cols = NULL),
  list(data = "molloy2014", measure = "ZCOR", cols = c("ri", "ni")),
  list(data = "raudenbush1985", measure = "GEN", cols = NULL),
  list(data = "yusuf1985_t6", measure = "OR", cols = c("ai", "bi", "ci", "di")),
  list(data = "hart1999", measure = "IRR", cols = c("x1i", "t1i", "x2i", "t2i")),
  list(data = "li2007", measure = "OR", cols = c("ai", "bi", "ci", "di")),
  list(data = "konstantopoulos2011", measure = "GEN", cols = NULL),
  # edge cases
  list(data = "bcg_k1", measure = "RR", cols = c("ai", "bi", "ci", "di"), edge = "k1",
       methods = c("EE", "DL", "REML", "PM")),
  list(data = "bcg_k2", measure = "RR", cols = c("ai", "bi", "ci", "di"), edge = "k2"),
  list(data = "bcg_k3", measure = "RR", cols = c("ai", "bi", "ci", "di"), edge = "k3"),
  list(data = "homogeneous", measure = "GEN", cols = NULL, edge = "tau2_zero"),
  list(data = "equal_vi", measure = "GEN", cols = NULL, edge = "equal_vi"),
  list(data = "large_k1000", measure = "GEN", cols = NULL, edge = "k_large",
       methods = c("DL", "REML", "PM"))
)

effect_sizes <- function(spec) {
  d <- DATASETS[[spec$data]]
  if (spec$measure == "GEN") {
    return(list(yi = d$yi, vi = d$vi, zero_cells = FALSE,
                r_data = sprintf("read.csv('%s')", csv_path(spec$data))))
  }
  args <- c(list(measure = spec$measure),
            lapply(setNames(spec$cols, spec$cols), function(cc) d[[cc]]))
  es <- do.call(escalc, args)
  list(yi = as.numeric(es$yi), vi = as.numeric(es$vi),
       zero_cells = has_zero_cells(d, spec$cols),
       r_data = sprintf("escalc('%s', %s, data=read.csv('%s'))", spec$measure,
                        r_cols(spec$cols), csv_path(spec$data)))
}

cli_args <- function(data, measure, method, test, level) {
  list("pool", csv_path(data), "--measure", measure, "--method", method, "--test", test,
       "--level", format(level), "--json")
}

rma_case <- function(cid, spec, es, method, test, level, tags) {
  f <- fit_rma(es$yi, es$vi, method, test, level)
  res <- f$fit
  list(
    id = cid, dataset = spec$data, data_csv = csv_path(spec$data), measure = spec$measure,
    method = method, test = test, level = level / 100, tags = as.list(tags),
    r_call = sprintf("rma(yi, vi, data=%s, method='%s', test='%s', level=%s, control=list(threshold=%g, tol=%g, maxiter=%d, stepadj=%g)); confint(res, control=list(tol=%g))",
                     es$r_data, method, test, format(level), THRESHOLD, TOL, MAXITER,
                     f$stepadj, TOL),
    cli_args = cli_args(spec$data, spec$measure, method, test, level),
    input = list(study = as.list(DATASETS[[spec$data]]$study), yi = vec(es$yi), vi = vec(es$vi)),
    expected = expected_rma(res),
    expect_warning = rma_warning(res),
    # what the whole CLI pipeline (escalc + rma) is expected to warn about
    pipeline_warnings = as.list(c(if (es$zero_cells) "ZeroCellWarning", rma_warning(res))),
    r_warnings = as.list(f$warnings), stepadj = f$stepadj)
}

rma_cases <- list()
datasets_used <- character()
for (spec in RMA_SPECS) {
  es <- effect_sizes(spec)
  methods <- if (is.null(spec$methods)) METHODS else spec$methods
  tags <- if (is.null(spec$edge)) "published" else c("edge", spec$edge)
  if (is.null(spec$edge)) datasets_used <- c(datasets_used, spec$data)
  for (method in methods) for (test in TESTS) {
    cid <- sprintf("rma-%s-%s-%s-%s", spec$data, spec$measure, method, test)
    rma_cases[[length(rma_cases) + 1]] <- rma_case(cid, spec, es, method, test, 95, tags)
  }
}
# level 90
bcg_spec <- RMA_SPECS[[1]]
bcg_es <- effect_sizes(bcg_spec)
for (mt in list(c("REML", "z"), c("REML", "knha"), c("DL", "z"), c("EE", "z"))) {
  cid <- sprintf("rma-bcg-RR-%s-%s-level90", mt[1], mt[2])
  rma_cases[[length(rma_cases) + 1]] <- rma_case(cid, bcg_spec, bcg_es, mt[1], mt[2], 90,
                                                 c("published", "level90"))
}

# ---------------------------------------------------------------------------------------
# 3. Mantel-Haenszel and Peto
# ---------------------------------------------------------------------------------------
MH_DATA <- c("bcg", "yusuf1985_t6", "li2007", "nielweise2007", "zeros")
mh_cases <- list()
for (dn in MH_DATA) {
  d <- DATASETS[[dn]]
  zero <- has_zero_cells(d, c("ai", "bi", "ci", "di"))
  for (m in c("OR", "RR", "RD", "PETO")) {
    if (m == "PETO") {
      r <- quietly(rma.peto(ai = d$ai, bi = d$bi, ci = d$ci, di = d$di))
      call <- sprintf("rma.peto(ai=ai, bi=bi, ci=ci, di=di, data=read.csv('%s'))", csv_path(dn))
    } else {
      r <- quietly(rma.mh(ai = d$ai, bi = d$bi, ci = d$ci, di = d$di, measure = m))
      call <- sprintf("rma.mh(ai=ai, bi=bi, ci=ci, di=di, measure='%s', data=read.csv('%s'))  # add=1/2, to='only0', drop00=TRUE, correct=TRUE",
                      m, csv_path(dn))
    }
    res <- r$value
    exp <- list(k = res$k, k_yi = res$k.yi, estimate = scalar(res$beta), se = scalar(res$se),
                statistic = scalar(res$zval), pval = scalar(res$pval),
                ci_low = scalar(res$ci.lb), ci_high = scalar(res$ci.ub),
                Q = scalar(res$QE), Q_df = res$k.yi - 1, Q_pval = scalar(res$QEp),
                I2 = scalar(res$I2), H2 = scalar(res$H2),
                cmh = if (m == "OR") scalar(res$MH) else NULL,  # the printed CMH test (res$CO is Cochran's variant)
                cmh_pval = if (m == "OR") scalar(res$MHp) else NULL,
                tarone = if (m == "OR") scalar(res$TA) else NULL,
                tarone_pval = if (m == "OR") scalar(res$TAp) else NULL)
    mh_cases[[length(mh_cases) + 1]] <- list(
      id = sprintf("%s-%s-%s", if (m == "PETO") "peto" else "mh", dn, m),
      dataset = dn, data_csv = csv_path(dn), measure = m,
      kind = if (m == "PETO") "peto" else "mh", r_call = call,
      input = col_list(d, c("study", "ai", "bi", "ci", "di")),
      expected = exp, expect_warning = if (zero) "ZeroCellWarning" else NULL,
      r_warnings = as.list(r$warnings))
  }
}

# ---------------------------------------------------------------------------------------
# 4. Meta-regression (dat.bcg, log RR)
# ---------------------------------------------------------------------------------------
bcg_d <- DATASETS$bcg
REG_MODS <- list(ablat = ~ ablat, year = ~ year, ablat_year = ~ ablat + year,
                 alloc = ~ factor(alloc))
reg_cases <- list()
for (mn in names(REG_MODS)) for (method in c("REML", "DL")) for (test in TESTS) {
  X <- model.matrix(REG_MODS[[mn]], data = bcg_d)
  colnames(X)[1] <- "intrcpt"    # metafor's name for the intercept
  f <- fit_rma(bcg_es$yi, bcg_es$vi, method, test, 95, mods = X[, -1, drop = FALSE])
  res <- f$fit
  coefs <- lapply(seq_len(res$p), function(j) list(
    name = colnames(X)[j], estimate = scalar(res$beta[j]), se = scalar(res$se[j]),
    statistic = scalar(res$zval[j]), pval = scalar(res$pval[j]),
    ci_low = scalar(res$ci.lb[j]), ci_high = scalar(res$ci.ub[j])))
  reg_cases[[length(reg_cases) + 1]] <- list(
    id = sprintf("reg-bcg-RR-%s-%s-%s", mn, method, test), dataset = "bcg",
    data_csv = csv_path("bcg"), measure = "RR", method = method, test = test, level = 0.95,
    mods = deparse(REG_MODS[[mn]]),
    r_call = sprintf("rma(yi, vi, mods=%s, data=escalc('RR', ai=ai, bi=bi, ci=ci, di=di, data=read.csv('%s')), method='%s', test='%s', control=list(threshold=%g, tol=%g, maxiter=%d))",
                     deparse(REG_MODS[[mn]]), csv_path("bcg"), method, test, THRESHOLD, TOL, MAXITER),
    input = list(study = as.list(bcg_d$study), yi = vec(bcg_es$yi), vi = vec(bcg_es$vi),
                 moderators = col_list(bcg_d, all.vars(REG_MODS[[mn]])),
                 design_columns = as.list(colnames(X)),
                 X = lapply(seq_len(nrow(X)), function(i) vec(X[i, ]))),
    expected = list(
      k = res$k, coefficients = coefs, QM = scalar(res$QM),
      QM_df = if (test != "z") vec(res$QMdf) else scalar(res$QMdf[1]),
      QM_pval = scalar(res$QMp), R2 = scalar(res$R2), tau2 = scalar(res$tau2),
      I2 = scalar(res$I2), H2 = scalar(res$H2),
      Q = scalar(res$QE), Q_df = res$k - res$p, Q_pval = scalar(res$QEp),
      df = if (test != "z") scalar(res$ddf) else NULL),
    expect_warning = if (res$tau2 <= ZERO_TAU2) "ZeroTau2Warning" else NULL,
    r_warnings = as.list(f$warnings))
}

# ---------------------------------------------------------------------------------------
# 5. Subgroups (dat.bcg by alloc)
# ---------------------------------------------------------------------------------------
sub_cases <- list()
groups <- bcg_d$alloc
levels_g <- sort(unique(groups))
for (method in c("REML", "DL")) {
  per <- list()
  for (g in levels_g) {
    sel <- groups == g
    f <- fit_rma(bcg_es$yi[sel], bcg_es$vi[sel], method, "z")
    r <- f$fit
    per[[length(per) + 1]] <- list(
      group = g, k = r$k, estimate = scalar(r$beta), se = scalar(r$se),
      statistic = scalar(r$zval), pval = scalar(r$pval),
      ci_low = scalar(r$ci.lb), ci_high = scalar(r$ci.ub), tau2 = scalar(r$tau2),
      I2 = scalar(r$I2), H2 = scalar(r$H2), Q = scalar(r$QE), Q_df = r$k - 1,
      Q_pval = scalar(r$QEp), r_warnings = as.list(f$warnings))
  }
  est <- sapply(per, function(x) x$estimate)
  ses <- sapply(per, function(x) x$se)
  fe <- rma(est, sei = ses, mods = ~ factor(levels_g), method = "FE")
  me <- fit_rma(bcg_es$yi, bcg_es$vi, method, "z",
                mods = model.matrix(~ factor(groups))[, -1, drop = FALSE])$fit
  zero_any <- any(sapply(per, function(x) !is.null(x$tau2) && x$tau2 <= ZERO_TAU2))
  sub_cases[[length(sub_cases) + 1]] <- list(
    id = sprintf("subgroup-bcg-RR-alloc-%s", method), dataset = "bcg",
    data_csv = csv_path("bcg"), measure = "RR", method = method, test = "z", level = 0.95,
    by = "alloc",
    r_call = sprintf("for each level of alloc: rma(yi, vi, data=dat, subset=alloc==g, method='%s'); rma(estimates, sei=ses, mods=~factor(group), method='FE') -> QM; rma(yi, vi, mods=~factor(alloc), data=dat, method='%s') -> QM", method, method),
    cli_args = list("pool", csv_path("bcg"), "--measure", "RR", "--method", method,
                    "--test", "z", "--level", "95", "--by", "alloc", "--json"),
    input = list(study = as.list(bcg_d$study), yi = vec(bcg_es$yi), vi = vec(bcg_es$vi),
                 groups = as.list(groups)),
    expected = list(
      subgroups = per,
      subgroup_test = list(Q = scalar(fe$QM), df = scalar(fe$QMdf[1]), pval = scalar(fe$QMp)),
      mixed_effects_test = list(Q = scalar(me$QM), df = scalar(me$QMdf[1]),
                                pval = scalar(me$QMp), tau2 = scalar(me$tau2))),
    expect_warning = if (zero_any) "ZeroTau2Warning" else NULL)
}

# ---------------------------------------------------------------------------------------
# 6. Leave-one-out (dat.bcg, log RR)
# ---------------------------------------------------------------------------------------
l1o_cases <- list()
for (mt in list(c("REML", "z"), c("DL", "z"), c("REML", "knha"), c("EE", "z"))) {
  f <- fit_rma(bcg_es$yi, bcg_es$vi, mt[1], mt[2])
  l <- quietly(leave1out(f$fit))$value
  nk <- length(l$estimate)
  # leave1out() names the statistic tval under knha, and omits tau2 for EE (= 0 there)
  l_stat <- if (!is.null(l$zval)) l$zval else l$tval
  l_tau2 <- if (!is.null(l$tau2)) l$tau2 else rep(0, nk)
  l1o_cases[[length(l1o_cases) + 1]] <- list(
    id = sprintf("leave1out-bcg-RR-%s-%s", mt[1], mt[2]), dataset = "bcg",
    data_csv = csv_path("bcg"), measure = "RR", method = mt[1], test = mt[2], level = 0.95,
    r_call = sprintf("leave1out(rma(yi, vi, data=escalc('RR', ai=ai, bi=bi, ci=ci, di=di, data=read.csv('%s')), method='%s', test='%s', control=list(threshold=%g, tol=%g, maxiter=%d)))",
                     csv_path("bcg"), mt[1], mt[2], THRESHOLD, TOL, MAXITER),
    input = list(study = as.list(bcg_d$study), yi = vec(bcg_es$yi), vi = vec(bcg_es$vi)),
    expected = list(omitted = as.list(bcg_d$study), estimate = vec(l$estimate), se = vec(l$se),
                    statistic = vec(l_stat), pval = vec(l$pval), ci_low = vec(l$ci.lb),
                    ci_high = vec(l$ci.ub), Q = vec(l$Q), Q_pval = vec(l$Qp),
                    tau2 = vec(l_tau2), I2 = vec(l$I2), H2 = vec(l$H2)),
    expect_warning = NULL)
}

# ---------------------------------------------------------------------------------------
# Write fixtures and the manifest (built from the same loops)
# ---------------------------------------------------------------------------------------
files <- list(
  "escalc.json" = list(cases = escalc_cases, kind = "escalc"),
  "rma.json" = list(cases = rma_cases, kind = "rma"),
  "mh_peto.json" = list(cases = mh_cases, kind = "mh_peto"),
  "regression.json" = list(cases = reg_cases, kind = "regression"),
  "subgroups.json" = list(cases = sub_cases, kind = "subgroups"),
  "leave1out.json" = list(cases = l1o_cases, kind = "leave1out")
)
for (fn in names(files)) {
  write_json_file(c(header(files[[fn]]$kind), list(cases = files[[fn]]$cases)), fn)
}
ids <- lapply(files, function(f) sapply(f$cases, function(x) x$id))
stopifnot(!anyDuplicated(unlist(ids)))
manifest <- c(header("manifest"), list(
  files = lapply(ids, as.list),
  measures_escalc = as.list(unique(sapply(escalc_cases, function(x) x$measure))),
  methods = as.list(METHODS), tests = as.list(TESTS),
  mh_measures = list("OR", "RR", "RD"),
  published_datasets = as.list(unique(datasets_used)),
  edge_cases = as.list(unique(unlist(lapply(RMA_SPECS, function(s) s$edge)))),
  data_sources = DATA_SOURCES))
write_json_file(manifest, "manifest.json")
cat(sprintf("%s: %d cases\n", names(ids), lengths(ids)), sep = "")
