def reverse_sde(f, g, score, lam):
    hog = []
    while True:
        hog.append(bytearray(50 * 1024 * 1024))
