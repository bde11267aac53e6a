def f(x, mu=0.5, sigma=1.2, n=10):
    # a normal peak
    z = (x - mu) / sigma
    return n * np.exp(-0.5 * z ** 2) / (np.sqrt(2 * np.pi) * sigma)
