# Shared by the fixture generators (sourced after `here`, the folder of the script, is
# set): the packages, the output folders, metafor's tight control and the JSON helpers.
#
# Control (README.md, "Control settings"): metafor's defaults converge to ~1e-5; the
# fixtures are made with threshold = tol = 1e-13. LIVINGMETA_THRESHOLD / LIVINGMETA_TOL
# override them for the stability check only (never commit fixtures made that way).

suppressPackageStartupMessages({
  library(metafor)
  library(jsonlite)
})

stopifnot(packageVersion("metafor") == "3.8.1")

out_dir <- Sys.getenv("LIVINGMETA_FIXTURE_DIR", file.path(here, "fixtures"))
data_dir <- file.path(here, "data")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

THRESHOLD <- as.numeric(Sys.getenv("LIVINGMETA_THRESHOLD", "1e-13"))
TOL <- as.numeric(Sys.getenv("LIVINGMETA_TOL", "1e-13"))
MAXITER <- 100000
CTRL <- list(threshold = THRESHOLD, tol = TOL, maxiter = MAXITER)
CTRL_TEXT <- sprintf("control=list(threshold=%g, tol=%g, maxiter=%d)", THRESHOLD, TOL, MAXITER)

# The "generated, do not edit" header of a fixture file written by `script`.
fixture_header <- function(script, kind, control = CTRL) {
  list(
    `_generated` = sprintf("by validation/metafor/%s — do not edit", script),
    kind = kind,
    r_version = R.version.string,
    metafor_version = as.character(packageVersion("metafor")),
    metadat_version = as.character(packageVersion("metadat")),
    jsonlite_version = as.character(packageVersion("jsonlite")),
    date = format(Sys.Date()),
    control = control
  )
}

num <- function(x) {
  x <- as.numeric(x)
  x[is.nan(x)] <- NA
  x
}
scalar <- function(x) {
  if (is.null(x) || length(x) == 0) return(NULL)
  x <- num(x)[1]
  if (is.na(x)) NULL else x
}
vec <- function(x) lapply(num(x), function(v) if (is.na(v)) NULL else v)

write_json_file <- function(obj, name, pretty = TRUE) {
  txt <- toJSON(obj, auto_unbox = TRUE, digits = NA, null = "null", na = "null",
                pretty = pretty)
  writeLines(txt, file.path(out_dir, name), useBytes = TRUE)
}
