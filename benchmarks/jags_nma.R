# Arm-level binomial NMA (logit link) in JAGS: NICE TSD2 programme 1(c), the model gemtc
# fits. Used by benchmarks/engines.py for the side-by-side timing.
#
# Rscript benchmarks/jags_nma.R DATA.csv REF EFFECTS(random|fixed) CHAINS BURNIN ITER THIN
#         SEED DRAWS_OUT.csv SUMMARY_OUT.csv
# DATA.csv: study, treatment, events, total (one row per arm).
args <- commandArgs(trailingOnly = TRUE)
suppressMessages(library(rjags))
arms <- read.csv(args[1], stringsAsFactors = FALSE, colClasses = c(study = "character",
                                                                  treatment = "character"))
ref <- args[2]
effects <- args[3]
chains <- as.integer(args[4]); burnin <- as.integer(args[5])
n_iter <- as.integer(args[6]); thin <- as.integer(args[7]); seed <- as.integer(args[8])

trts <- c(ref, setdiff(sort(unique(arms$treatment)), ref))
arms$t <- match(arms$treatment, trts)
arms <- arms[order(arms$study, arms$t), ]
studies <- unique(arms$study)
na <- as.vector(table(factor(arms$study, levels = studies)))
ns <- length(studies); maxa <- max(na)
t <- r <- n <- matrix(NA, ns, maxa)
for (i in seq_len(ns)) {
  a <- arms[arms$study == studies[i], ]
  t[i, seq_len(na[i])] <- a$t; r[i, seq_len(na[i])] <- a$events
  n[i, seq_len(na[i])] <- a$total
}

random <- "
model {
  for (i in 1:ns) {
    w[i, 1] <- 0
    delta[i, 1] <- 0
    mu[i] ~ dnorm(0, .0001)
    for (k in 1:na[i]) {
      r[i, k] ~ dbin(p[i, k], n[i, k])
      logit(p[i, k]) <- mu[i] + delta[i, k]
    }
    for (k in 2:na[i]) {
      delta[i, k] ~ dnorm(md[i, k], taud[i, k])
      md[i, k] <- d[t[i, k]] - d[t[i, 1]] + sw[i, k]
      taud[i, k] <- tau * 2 * (k - 1) / k
      w[i, k] <- delta[i, k] - d[t[i, k]] + d[t[i, 1]]
      sw[i, k] <- sum(w[i, 1:(k - 1)]) / (k - 1)
    }
  }
  d[1] <- 0
  for (k in 2:nt) { d[k] ~ dnorm(0, .0001) }
  sd ~ dunif(0, 5)
  tau <- pow(sd, -2)
}"
fixed <- "
model {
  for (i in 1:ns) {
    mu[i] ~ dnorm(0, .0001)
    for (k in 1:na[i]) {
      r[i, k] ~ dbin(p[i, k], n[i, k])
      logit(p[i, k]) <- mu[i] + d[t[i, k]] - d[t[i, 1]]
    }
  }
  d[1] <- 0
  for (k in 2:nt) { d[k] ~ dnorm(0, .0001) }
}"
inits <- lapply(seq_len(chains), function(c)
  list(.RNG.name = "base::Mersenne-Twister", .RNG.seed = seed + c))
jm <- jags.model(textConnection(if (effects == "random") random else fixed),
                 data = list(ns = ns, nt = length(trts), na = na, t = t, r = r, n = n),
                 inits = inits, n.chains = chains, n.adapt = burnin, quiet = TRUE)
monitor <- c("d", if (effects == "random") "sd")
samples <- coda.samples(jm, monitor, n.iter = n_iter, thin = thin, progress.bar = "none")

draws <- do.call(rbind, lapply(seq_along(samples), function(c) {
  m <- as.matrix(samples[[c]])
  data.frame(chain = c, draw = seq_len(nrow(m)), m[, colnames(m) != "d[1]", drop = FALSE],
             check.names = FALSE)
}))
names(draws) <- sub("^d\\[(\\d+)\\]$", "d[\\1]", names(draws))
for (k in 2:length(trts)) names(draws)[names(draws) == sprintf("d[%d]", k)] <-
  sprintf("d[%s]", trts[k])
write.csv(draws, args[9], row.names = FALSE)
pars <- setdiff(names(draws), c("chain", "draw"))
summ <- data.frame(parameter = pars,
                   mean = sapply(pars, function(p) mean(draws[[p]])),
                   sd = sapply(pars, function(p) sd(draws[[p]])),
                   q2.5 = sapply(pars, function(p) quantile(draws[[p]], .025)),
                   q50 = sapply(pars, function(p) quantile(draws[[p]], .5)),
                   q97.5 = sapply(pars, function(p) quantile(draws[[p]], .975)))
write.csv(summ, args[10], row.names = FALSE)
