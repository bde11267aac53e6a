def g(t, A=1, tau=2.5, w=3, phi=0):
    return A * exp(-t / tau) * cos(w * t + phi) + arctan2(t, tau) - hypot(A, w) + maximum(t, 0) ** -2
