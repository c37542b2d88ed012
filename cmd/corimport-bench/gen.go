package main

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
)

// inputHeader is the header of every generated file. The inferred mapping
// reads each column: id, name, email_contact, phone, website, description.
var inputHeader = []string{"id", "name", "email", "phone", "website", "description"}

var (
	nameWords = []string{
		"Northwind", "Gravity", "Bluebird", "Summit", "Harbor", "Cedar",
		"Quantum", "Ironwood", "Silverline", "Redwood", "Atlas", "Meridian",
		"Pioneer", "Crescent", "Falcon", "Evergreen", "Lakeside", "Granite",
	}
	nameKinds = []string{
		"Trading", "Logistics", "Analytics", "Foods", "Studios", "Health",
		"Capital", "Robotics", "Textiles", "Energy", "Media", "Partners",
	}
	nameSuffixes = []string{"Inc.", "LLC", "Ltd", "S.A.", "GmbH", "& Co."}
	cities       = []string{
		"Denver", "Buenos Aires", "Madrid", "Austin", "São Paulo", "Toronto",
		"Lyon", "Bogotá", "Seattle", "Córdoba", "Boston", "Valencia",
	}
	descriptions = []string{
		"Key account in %s, renewed in %d.",
		"Client since %[2]d; main office in %[1]s.",
		"Prospect from the %[2]d trade fair in %[1]s, asked for a \"premium\" plan.",
		"Regional distributor (%s). Billing contact changed in %d, check before invoicing.",
		"",
	}
)

// writeInput writes a CSV file of n valid client records with the
// columns of inputHeader. Row i is the same in every file, so a smaller
// file holds the first rows of a larger one. External ids are unique.
func writeInput(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	buf := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(buf)
	if err := w.Write(inputHeader); err != nil {
		f.Close()
		return err
	}
	row := make([]string, len(inputHeader))
	for i := range n {
		fillRow(row, i)
		if err := w.Write(row); err != nil {
			f.Close()
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := buf.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

// fillRow sets row to the cells of generated record i.
func fillRow(row []string, i int) {
	rng := rand.New(rand.NewPCG(uint64(i), 0x636f72696d706f72))
	word := nameWords[rng.IntN(len(nameWords))]
	kind := nameKinds[rng.IntN(len(nameKinds))]
	suffix := nameSuffixes[rng.IntN(len(nameSuffixes))]
	num := strconv.Itoa(i)
	domain := strings.ToLower(word) + "-" + strings.ToLower(kind) + "-" + num + ".example.com"

	row[0] = fmt.Sprintf("ACC-%08d", i+1)
	row[1] = word + " " + kind + " " + suffix
	row[2] = "billing@" + domain
	row[3] = fmt.Sprintf("+1 %03d 555 %04d", 200+rng.IntN(800), rng.IntN(10000))
	row[4] = "https://www." + domain
	row[5] = ""
	if d := descriptions[rng.IntN(len(descriptions))]; d != "" {
		row[5] = fmt.Sprintf(d, cities[rng.IntN(len(cities))], 2005+rng.IntN(20))
	}
}
