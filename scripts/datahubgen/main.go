// Command datahubgen writes synthetic data-hub files for the benchmark
// (scripts/bench-datahub.sh): one CSV per source for N enterprises with
// valid unified social credit codes.
//
//	go run ./scripts/datahubgen -n 25000 -years 4 -out DIR
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"kedaitong/review"
)

func main() {
	n := flag.Int("n", 25000, "enterprises")
	years := flag.Int("years", 4, "tax years per enterprise")
	patents := flag.Int("patents", 0, "patents per enterprise")
	contracts := flag.Int("contracts", 0, "technology contracts per enterprise")
	out := flag.String("out", ".", "folder for the CSV files")
	flag.Parse()
	counties := []string{"360702", "360102", "360902", "360302", "360402", "360502", "360602", "360802", "361002", "361102"}
	r := rand.New(rand.NewPCG(1, 2))
	code := func(i int) string { return review.DemoCreditCode(counties[i%len(counties)], 100000+i) }
	write := func(name string, fill func(w *bufio.Writer)) {
		f, err := os.Create(filepath.Join(*out, name))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		w := bufio.NewWriterSize(f, 1<<20)
		fill(w)
		w.Flush()
		f.Close()
	}
	write("registration.csv", func(w *bufio.Writer) {
		fmt.Fprintln(w, "credit_code,name,region,founded,registered_capital,status")
		for i := 0; i < *n; i++ {
			fmt.Fprintf(w, "%s,江西测试科技%06d有限公司,%s,20%02d-%02d-%02d,%d,存续\n", code(i), i, counties[i%len(counties)], 5+r.IntN(18), 1+r.IntN(12), 1+r.IntN(28), 1000000*(1+r.IntN(50)))
		}
	})
	write("tax.csv", func(w *bufio.Writer) {
		fmt.Fprintln(w, "credit_code,year,revenue,rd_spend,tax_paid")
		for i := 0; i < *n; i++ {
			for y := 0; y < *years; y++ {
				rev := 1000000 * (1 + r.IntN(200))
				fmt.Fprintf(w, "%s,%d,%d,%d,%d\n", code(i), 2025-y, rev, rev/100*(1+r.IntN(30)), rev/50)
			}
		}
	})
	if *patents > 0 {
		write("ip.csv", func(w *bufio.Writer) {
			fmt.Fprintln(w, "credit_code,patent_no,kind,granted,claims,citations,status")
			kinds := []string{"invention", "utility", "design"}
			for i := 0; i < *n; i++ {
				for p := 0; p < *patents; p++ {
					fmt.Fprintf(w, "%s,ZL%07d%02d.%d,%s,20%02d-%02d-%02d,%d,%d,valid\n", code(i), i, p, p%10, kinds[r.IntN(3)], 10+r.IntN(15), 1+r.IntN(12), 1+r.IntN(28), 1+r.IntN(20), r.IntN(10))
				}
			}
		})
	}
	if *contracts > 0 {
		write("contracts.csv", func(w *bufio.Writer) {
			fmt.Fprintln(w, "credit_code,contract_id,amount,signed,due,fulfilled")
			for i := 0; i < *n; i++ {
				for c := 0; c < *contracts; c++ {
					fmt.Fprintf(w, "%s,HT%07d%02d,%d,2023-0%d-01,2024-0%d-01,2024-0%d-15\n", code(i), i, c, 100000*(1+r.IntN(30)), 1+r.IntN(9), 1+r.IntN(9), 1+r.IntN(9))
				}
			}
		})
	}
}
