## Product attribute lines and the price line. Money arrives formatted ($price);
## counts ($days, $months, $grams, $ml) are numbers used for plural selection.

attr-material = Material: { $value }
attr-flavour = Flavour: { $value }
attr-size = Size: { $value }
attr-net-weight-g = Net weight: { $grams } g
attr-net-weight-kg = Net weight: { $kg } kg
attr-volume-ml = Volume: { $ml } ml
attr-volume-l = Volume: { $litres } L
attr-shelf-life-days = Shelf life: { $days ->
        [one] { $days } day
       *[other] { $days } days
    }
attr-shelf-life-months = Shelf life: { $months ->
        [one] { $months } month
       *[other] { $months } months
    }
attr-storage = Storage: { $value }
attr-origin = Origin: { $country }
price-line = Price: { $price }
