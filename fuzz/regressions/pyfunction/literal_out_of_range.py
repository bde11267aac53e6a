def f(x, a=1e400):
    return a * x
