# Regenerates validation/rpact/fixtures/boundaries.json: group-sequential boundaries from
# rpact for livingmeta's tests/reference/test_rpact_boundaries.py.
#
#   Rscript validation/rpact/generate.R        (from the repository root)
#
# Needs R >= 4.2 with rpact and jsonlite. The fixture records the R and rpact versions.
suppressPackageStartupMessages({
  library(rpact)
  library(jsonlite)
})

out_file <- file.path("validation", "rpact", "fixtures", "boundaries.json")

fraction_sets <- list(
  four_unequal = c(0.2, 0.45, 0.7, 1),
  five_unequal = c(0.1, 0.25, 0.5, 0.8, 1),
  three_late = c(0.5, 0.9, 1)
)
alpha_types <- c(obf = "asOF", pocock = "asP")
beta_types <- c(obf = "bsOF", pocock = "bsP")
tolerance <- 1e-10  # rpact's smallest allowed tolerance (default 1e-8)

num <- function(x) ifelse(is.na(x), NA, x)

one_case <- function(set_name, rates, spending, sides, futility) {
  alpha <- if (sides == 1) 0.025 else 0.05
  args <- list(kMax = length(rates), alpha = alpha, beta = 0.2, sided = sides,
               informationRates = rates, typeOfDesign = alpha_types[[spending]],
               tolerance = tolerance)
  call <- sprintf(paste0("getDesignGroupSequential(kMax = %d, alpha = %g, beta = 0.2, ",
                         "sided = %d, informationRates = c(%s), typeOfDesign = \"%s\""),
                  length(rates), alpha, sides, paste(rates, collapse = ", "),
                  alpha_types[[spending]])
  if (futility != "none") {
    args$typeBetaSpending <- beta_types[[futility]]
    args$bindingFutility <- FALSE
    call <- paste0(call, sprintf(", typeBetaSpending = \"%s\", bindingFutility = FALSE",
                                 beta_types[[futility]]))
    if (sides == 2) {
      # Two-sided beta spending (rpact: experimental): no linear re-allocation of beta
      # where a bound would be negative; power for the one-sided alternative.
      args$betaAdjustment <- FALSE
      args$twoSidedPower <- FALSE
      call <- paste0(call, ", betaAdjustment = FALSE, twoSidedPower = FALSE")
    }
  }
  call <- paste0(call, sprintf(", tolerance = %g)", tolerance))
  design <- suppressWarnings(do.call(getDesignGroupSequential, args))
  expected <- list(
    efficacy = as.numeric(design$criticalValues),
    alpha_spent = as.numeric(design$alphaSpent)
  )
  if (futility != "none") {
    chars <- suppressWarnings(getDesignCharacteristics(design))
    # rpact lists K - 1 futility bounds; the last one equals the last critical value.
    expected$futility <- c(as.numeric(design$futilityBounds),
                           design$criticalValues[length(rates)])
    expected$beta_spent <- as.numeric(design$betaSpent)
    expected$drift <- sqrt(chars$shift)
    expected$inflation_factor <- chars$inflationFactor
  }
  list(id = sprintf("%s-%s-%dsided-futility_%s", set_name, spending, sides, futility),
       information_fraction = rates, alpha = alpha, power = 0.8, sides = sides,
       spending = spending, futility = futility, r_call = call, expected = expected)
}

cases <- list()
for (set_name in names(fraction_sets)) {
  for (spending in names(alpha_types)) {
    for (sides in c(1, 2)) {
      for (futility in c("none", spending)) {
        cases[[length(cases) + 1]] <- one_case(set_name, fraction_sets[[set_name]],
                                               spending, sides, futility)
      }
    }
  }
}
for (sides in c(1, 2)) {
  cases[[length(cases) + 1]] <- one_case("single_look", c(1), "obf", sides, "none")
}

fixture <- list(
  `_generated` = "by validation/rpact/generate.R — do not edit",
  r_version = R.version.string,
  rpact_version = as.character(packageVersion("rpact")),
  date = format(Sys.Date()),
  tolerance = tolerance,
  cases = cases
)
writeLines(toJSON(fixture, auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE),
           out_file, useBytes = TRUE)
cat(sprintf("wrote %d cases to %s\n", length(cases), out_file))
