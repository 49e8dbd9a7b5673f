# Regenerates the pinned metafor reference values for GOSH (metafor's gosh()).
#
#   Rscript validation/metafor/generate_gosh.R     (run from the repository root)
#
# Reads   validation/metafor/data/<name>.csv   (written by generate.R; not rewritten here)
# Writes  validation/metafor/fixtures/gosh.json  (cases + manifest of case ids)
#
# gosh() refits the model on every non-empty subset of the studies, reusing the control
# of the fitted model, so the tight controls of generate.R apply to every subset fit
# (README.md explains why metafor's defaults are not a usable reference at 1e-6).
# Every case is exhaustive (2^k - 1 <= 10^6): metafor orders the subsets by size, ties in
# expand.grid order, which is the order of the integer bitmask (bit i-1 set when study i
# is in the subset). Each row stores metafor's membership row (res$incl) as a 0/1 string
# and the bitmask computed from it here, so the test can check the mapping.

args_all <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args_all[grep("^--file=", args_all)])
here <- if (length(script)) dirname(normalizePath(script)) else "validation/metafor"
source(file.path(here, "_common.R"))

csv_path <- function(name) paste0("validation/metafor/data/", name, ".csv")

# Data sets: the first `k` rows of each CSV (small enough for an exhaustive GOSH that is
# quick in R and a fixture of modest size), effect sizes as in generate.R.
SPECS <- list(
  list(data = "bcg", measure = "RR", cols = c("ai", "bi", "ci", "di"), k = 10),
  list(data = "hackshaw1998", measure = "GEN", cols = NULL, k = 8)
)
METHODS <- c("EE", "DL", "REML")

load_spec <- function(spec) {
  d <- read.csv(file.path(data_dir, paste0(spec$data, ".csv")), stringsAsFactors = FALSE,
                colClasses = c(study = "character"))
  d <- d[seq_len(spec$k), , drop = FALSE]
  if (spec$measure == "GEN") {
    yi <- d$yi; vi <- d$vi
    r_data <- sprintf("read.csv('%s')[1:%d, ]", csv_path(spec$data), spec$k)
  } else {
    args <- c(list(measure = spec$measure),
              lapply(setNames(spec$cols, spec$cols), function(cc) d[[cc]]))
    es <- do.call(escalc, args)
    yi <- as.numeric(es$yi); vi <- as.numeric(es$vi)
    r_data <- sprintf("escalc('%s', %s, data=read.csv('%s')[1:%d, ])", spec$measure,
                      paste(sprintf("%s=%s", spec$cols, spec$cols), collapse = ", "),
                      csv_path(spec$data), spec$k)
  }
  list(d = d, yi = yi, vi = vi, r_data = r_data)
}

cases <- list()
for (spec in SPECS) {
  L <- load_spec(spec)
  k <- length(L$yi)
  for (method in METHODS) {
    res <- rma(yi = L$yi, vi = L$vi, method = method, control = CTRL)
    g <- gosh(res, progbar = FALSE)
    stopifnot(nrow(g$res) == 2^k - 1, all(g$fit))
    incl <- g$incl
    bits <- as.numeric(incl %*% 2^(seq_len(k) - 1))
    r <- g$res
    tau2 <- if ("tau2" %in% names(r)) r$tau2 else rep(0, nrow(r))
    cases[[length(cases) + 1]] <- list(
      id = sprintf("gosh-%s-%s-k%d-%s", spec$data, spec$measure, k, method),
      "function" = "gosh", dataset = spec$data, data_csv = csv_path(spec$data),
      measure = spec$measure, method = method, k = k,
      r_call = sprintf("gosh(rma(yi, vi, data=%s, method='%s', %s))", L$r_data, method,
                       CTRL_TEXT),
      input = list(study = as.list(L$d$study), yi = vec(L$yi), vi = vec(L$vi)),
      rows = list(
        incl = apply(incl, 1, function(row) paste(as.integer(row), collapse = "")),
        subset = bits, k = as.integer(r$k), estimate = vec(r$estimate), tau2 = vec(tau2),
        I2 = vec(r$I2), H2 = vec(r$H2), Q = vec(r$QE)))
  }
}

ids <- sapply(cases, function(x) x$id)
stopifnot(!anyDuplicated(ids))
out <- c(fixture_header("generate_gosh.R", "gosh"), list(
  manifest = list(
    case_ids = as.list(ids),
    methods = as.list(METHODS),
    datasets = lapply(SPECS, function(s) list(dataset = s$data, measure = s$measure, k = s$k))),
  cases = cases))
write_json_file(out, "gosh.json", pretty = FALSE)
cat(sprintf("gosh.json: %d cases\n", length(ids)))
