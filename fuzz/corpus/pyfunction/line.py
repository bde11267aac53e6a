def model(x, a=1.0, b=0.0):
    """line"""
    return a * x + b
