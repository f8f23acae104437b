## Product attribute lines and the price line. Money arrives formatted ($price);
## counts ($days, $months, $grams, $ml) are numbers used for plural selection.

attr-material = 材质：{ $value }
attr-flavour = 口味：{ $value }
attr-size = 尺寸：{ $value }
attr-net-weight-g = 净含量：{ $grams } 克
attr-net-weight-kg = 净含量：{ $kg } 千克
attr-volume-ml = 容量：{ $ml } 毫升
attr-volume-l = 容量：{ $litres } 升
attr-shelf-life-days = 保质期：{ $days } 天
attr-shelf-life-months = 保质期：{ $months } 个月
attr-storage = 储存条件：{ $value }
attr-origin = 产地：{ $country }
price-line = 价格：{ $price }
