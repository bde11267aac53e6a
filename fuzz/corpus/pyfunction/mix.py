def h(x, a, b=-1e3, c=2.):
    s = (a +
         b * log1p(abs(x)))
    s = s - erf(x) * gamma(c) + lgamma(c) + power(x, 2) - min(a, b) + scipy.special.erfc(x)
    return -s / (1 + tanh(x) ** 2) ** 0.5 + math.pi * e
