"""Blended classes (kelas tatap muka, workshop, webinar): scheduling, registration with a
waiting list, QR attendance and crediting JP through the learning record."""
