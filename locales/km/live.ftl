## Live room: stock, countdowns and the buyer feed. $count is a number.

stock-left = នៅសល់ { $count }
stock-sold-out = លក់អស់ហើយ
countdown-starts-seconds = ចាប់ផ្តើមក្នុងរយៈពេល { $count } វិនាទីទៀត
countdown-starts-minutes = ចាប់ផ្តើមក្នុងរយៈពេល { $count } នាទីទៀត
countdown-starts-hours = ចាប់ផ្តើមក្នុងរយៈពេល { $count } ម៉ោងទៀត
countdown-ends-seconds = បញ្ចប់ក្នុងរយៈពេល { $count } វិនាទីទៀត
countdown-ends-minutes = បញ្ចប់ក្នុងរយៈពេល { $count } នាទីទៀត
countdown-ends-hours = បញ្ចប់ក្នុងរយៈពេល { $count } ម៉ោងទៀត
feed-bought = { $buyer } មកពី{ $city } បានទិញ { $count }
feed-bought-no-city = { $buyer } បានទិញ { $count }
